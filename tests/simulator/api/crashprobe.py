"""A process that logs two unexpected exceptions through `vk-eci`'s logging set-up.

Run as `python -m tests.simulator.api.crashprobe` by `test_edge_logging.py`:
it configures logging exactly as every `vk-eci` entry point does (JSON, debug),
serves one SDK call whose service crashes (a structlog `exception` line from
the ECI edge), logs one stdlib exception (as aiohttp or SQLAlchemy would) and
two stdlib debug/info lines carrying secrets (a Secret body as
kubernetes_asyncio logs it, an access-log line with a password), then exits.
Its stderr is what an operator would read.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.exceptions import ServerException

from simulator.server import Simulator
from tests.fixtures.eci import EciTarget, make_test_settings
from tests.simulator.api.edge_support import RecordingService
from vkeci.logs import configure_logging

CRASH_MESSAGE = "probe crash: ledger row 7 is corrupt"
STDLIB_MESSAGE = "probe stdlib failure in a handler"
SECRET_DATA = "c2VjcmV0LWRhdGEtcHJvYmU="
REGISTRY_PASSWORD = "probe-registry-pw-31d7"


class ProbeCrash(RuntimeError):
    """The unexpected failure the probe's service raises."""


async def main() -> None:
    recording = RecordingService()

    async def crash(action: str, params: Any) -> dict[str, Any]:
        raise ProbeCrash(CRASH_MESSAGE)

    recording.call = crash  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_test_settings(Path(tmp))
        credential = settings.security.credentials[0]
        async with Simulator(settings, service_factory=recording.factory) as simulator:
            target = EciTarget(
                endpoint=simulator.endpoint,
                access_key_id=credential.access_key_id,
                access_key_secret=credential.access_key_secret,
                region_id="cn-hangzhou",
                admin_url=simulator.admin_url,
                admin_token="",
                simulator=simulator,
            )
            client = Client(target.sdk_config())
            with contextlib.suppress(ServerException):
                await client.describe_regions_async(
                    eci_models.DescribeRegionsRequest(region_id="cn-hangzhou")
                )
    try:
        raise KeyError(STDLIB_MESSAGE)
    except KeyError:
        logging.getLogger("aiohttp.server").exception("Error handling request")
    secret = {"kind": "Secret", "apiVersion": "v1", "data": {".dockerconfigjson": SECRET_DATA}}
    logging.getLogger("kubernetes_asyncio.client.rest").debug(
        "response body: %s", json.dumps(secret)
    )
    logging.getLogger("aiohttp.access").info(
        '127.0.0.1 "GET /?RegionId=cn-hangzhou&ImageRegistryCredential.1.Password=%s HTTP/1.1" 200',
        REGISTRY_PASSWORD,
    )


if __name__ == "__main__":
    configure_logging(level="debug", json_output=True)
    asyncio.run(main())
