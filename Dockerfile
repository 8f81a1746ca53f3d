# One image for both the node agent and the ECI simulator:
#   docker run IMAGE agent ...      docker run IMAGE simulator ...
FROM python:3.11-slim

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY pyproject.toml README.md ./
COPY localkube ./localkube
COPY simulator ./simulator
COPY vkprovider ./vkprovider
COPY vkeci ./vkeci
COPY crd ./crd
COPY deploy ./deploy
RUN pip install --no-cache-dir --no-deps . \
    && useradd --system --uid 10001 --home-dir /var/lib/vk-eci --create-home vk-eci

USER vk-eci
WORKDIR /var/lib/vk-eci
ENTRYPOINT ["vk-eci"]
CMD ["--help"]
