"""`metrics.k8s.io/v1beta1` (PodMetrics, NodeMetrics) from the kubelets, as metrics-server does.

metrics-server scrapes every node's kubelet at `/metrics/resource` and serves
the latest figures through the aggregated `metrics.k8s.io` API; `kubectl top`
reads them. This module does the same on demand: each request scrapes the
kubelets of the nodes it needs (with the kubelet client certificate of
`localkube.logs`), keeps the previous scrape per node, and gives CPU as the
rate between the two scrapes of `container_cpu_usage_seconds_total` (the
first time, the rate since `container_start_time_seconds`), memory as
`container_memory_working_set_bytes`. Quantities are formatted as
metrics-server does (CPU in nanocores `n`, memory in `Ki`). A node whose
kubelet cannot be reached has no metrics, as with metrics-server. Read-only:
`get` and `list` only; `labelSelector` filters as on any list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from localkube.errors import QualifiedResource, method_not_allowed, not_found, not_found_path
from localkube.logs import KUBELET_CLIENT_TLS, KUBELET_CONNECT_TIMEOUT_SECONDS
from localkube.selectors import parse_label_selector
from localkube.shapes import JsonObject
from localkube.store import Store

GROUP = "metrics.k8s.io"
VERSION = "v1beta1"
GROUP_VERSION = f"{GROUP}/{VERSION}"
PREFIX = f"/apis/{GROUP_VERSION}"
SCRAPE_TIMEOUT_SECONDS = 10.0
WINDOW_DEFAULT = "15s"


def group_entry() -> JsonObject:
    version = {"groupVersion": GROUP_VERSION, "version": VERSION}
    return {"name": GROUP, "versions": [version], "preferredVersion": version}


def resource_list() -> JsonObject:
    def entry(name: str, kind: str, namespaced: bool) -> JsonObject:
        return {
            "name": name,
            "singularName": "",
            "namespaced": namespaced,
            "kind": kind,
            "verbs": ["get", "list"],
        }

    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": GROUP_VERSION,
        "resources": [entry("nodes", "NodeMetrics", False), entry("pods", "PodMetrics", True)],
    }


@dataclass(frozen=True)
class Sample:
    cpu_seconds: float
    timestamp_ms: int
    memory_bytes: int = 0
    started_seconds: float | None = None


@dataclass
class Scrape:
    at: datetime
    containers: dict[tuple[str, str, str], Sample] = field(default_factory=dict)
    """(namespace, pod, container) -> its sample."""
    node: Sample | None = None


def _labels(text: str) -> dict[str, str]:
    labels = {}
    for part in text.split(","):
        if "=" in part:
            key, value = part.split("=", 1)
            labels[key.strip()] = value.strip().strip('"')
    return labels


def parse_resource_metrics(text: str, *, at: datetime) -> Scrape:
    """The kubelet's Prometheus text, as per-container samples (other lines ignored)."""
    raw: dict[tuple[str, str, str], dict[str, float]] = {}
    stamps: dict[tuple[str, str, str], int] = {}
    node: dict[str, float] = {}
    node_stamp = 0
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, rest = line.partition("{")
        if rest:
            label_text, _, values = rest.partition("}")
        else:
            name, _, values = line.partition(" ")
            label_text = ""
        fields = values.split()
        if not fields:
            continue
        value = float(fields[0])
        stamp = int(fields[1]) if len(fields) > 1 else int(at.timestamp() * 1000)
        if name.startswith("node_"):
            node[name] = value
            node_stamp = stamp
            continue
        if not name.startswith("container_"):
            continue
        labels = _labels(label_text)
        key = (labels.get("namespace", ""), labels.get("pod", ""), labels.get("container", ""))
        raw.setdefault(key, {})[name] = value
        stamps[key] = stamp
    scrape = Scrape(at=at)
    for key, figures in raw.items():
        scrape.containers[key] = Sample(
            cpu_seconds=figures.get("container_cpu_usage_seconds_total", 0.0),
            timestamp_ms=stamps[key],
            memory_bytes=int(figures.get("container_memory_working_set_bytes", 0)),
            started_seconds=figures.get("container_start_time_seconds"),
        )
    if node:
        scrape.node = Sample(
            cpu_seconds=node.get("node_cpu_usage_seconds_total", 0.0),
            timestamp_ms=node_stamp,
            memory_bytes=int(node.get("node_memory_working_set_bytes", 0)),
        )
    return scrape


def _rate(now: Sample, before: Sample | None) -> float:
    if (
        before is not None
        and now.timestamp_ms > before.timestamp_ms
        and now.cpu_seconds >= before.cpu_seconds
    ):
        elapsed = (now.timestamp_ms - before.timestamp_ms) / 1000
        return (now.cpu_seconds - before.cpu_seconds) / elapsed
    if now.started_seconds is not None:
        elapsed = now.timestamp_ms / 1000 - now.started_seconds
        if elapsed > 0:
            return now.cpu_seconds / elapsed
    return 0.0


def cpu_quantity(cores: float) -> str:
    return f"{round(cores * 1e9)}n"


def memory_quantity(size: int) -> str:
    return f"{size // 1024}Ki"


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ResourceMetrics:
    """Serves `/apis/metrics.k8s.io/v1beta1/...` from scrapes of the kubelets."""

    def __init__(self, *, store: Store) -> None:
        self._store = store
        self._previous: dict[str, Scrape] = {}

    def _kubelet(self, node: JsonObject) -> str | None:
        status: Any = node.get("status") or {}
        addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
        address = addresses.get("InternalIP") or addresses.get("Hostname")
        port = ((status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {}).get("Port")
        if not address or not port:
            return None
        host = f"[{address}]" if ":" in str(address) else str(address)
        return f"https://{host}:{port}/metrics/resource"

    async def _scrape(
        self, request: web.Request, node: JsonObject
    ) -> tuple[Scrape, Scrape | None] | None:
        url = self._kubelet(node)
        if url is None:
            return None
        timeout = aiohttp.ClientTimeout(
            total=SCRAPE_TIMEOUT_SECONDS, sock_connect=KUBELET_CONNECT_TIMEOUT_SECONDS
        )
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(url, ssl=request.app.get(KUBELET_CLIENT_TLS, False)) as response,
            ):
                if response.status != 200:
                    return None
                text = await response.text()
        except (aiohttp.ClientError, TimeoutError):
            return None
        name = str(node["metadata"]["name"])
        scrape = parse_resource_metrics(text, at=datetime.now(UTC))
        before = self._previous.get(name)
        self._previous[name] = scrape
        return scrape, before

    def _nodes(self) -> list[JsonObject]:
        return self._store.items(("", "nodes"), None)

    async def handle(self, request: web.Request) -> web.Response:
        if request.method != "GET":
            raise method_not_allowed(verb=request.method, resource=QualifiedResource("pods", GROUP))
        rest = [s for s in request.path[len(PREFIX) :].split("/") if s]
        selector = parse_label_selector(request.query.get("labelSelector"))
        if rest and rest[0] == "nodes" and len(rest) <= 2:
            return await self._node_metrics(request, rest[1] if len(rest) == 2 else None, selector)
        namespace = None
        if len(rest) >= 2 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if rest and rest[0] == "pods" and len(rest) <= 2:
            name = rest[1] if len(rest) == 2 else None
            return await self._pod_metrics(request, namespace, name, selector)
        raise not_found_path()

    async def _node_metrics(
        self, request: web.Request, name: str | None, selector: Any
    ) -> web.Response:
        items = []
        for node in self._nodes():
            meta = node["metadata"]
            if (name is not None and meta["name"] != name) or not selector.matches(node):
                continue
            scraped = await self._scrape(request, node)
            if scraped is None or scraped[0].node is None:
                continue
            scrape, before = scraped
            assert scrape.node is not None
            items.append(
                {
                    "kind": "NodeMetrics",
                    "apiVersion": GROUP_VERSION,
                    "metadata": {
                        "name": meta["name"],
                        "creationTimestamp": _stamp(scrape.at),
                        "labels": meta.get("labels") or {},
                    },
                    "timestamp": _stamp(scrape.at),
                    "window": WINDOW_DEFAULT,
                    "usage": {
                        "cpu": cpu_quantity(
                            _rate(scrape.node, before.node if before else None)
                            if before
                            else self._node_rate(scrape)
                        ),
                        "memory": memory_quantity(scrape.node.memory_bytes),
                    },
                }
            )
        if name is not None:
            if not items:
                raise not_found(resource=QualifiedResource("nodemetrics", GROUP), name=name)
            return web.json_response(items[0])
        return web.json_response(
            {"kind": "NodeMetricsList", "apiVersion": GROUP_VERSION, "metadata": {}, "items": items}
        )

    @staticmethod
    def _node_rate(scrape: Scrape) -> float:
        return sum(_rate(sample, None) for sample in scrape.containers.values())

    async def _pod_metrics(
        self, request: web.Request, namespace: str | None, name: str | None, selector: Any
    ) -> web.Response:
        pods = [
            p
            for p in self._store.items(("", "pods"), namespace)
            if (name is None or p["metadata"]["name"] == name) and selector.matches(p)
        ]
        wanted_nodes = {(p.get("spec") or {}).get("nodeName") for p in pods}
        scrapes: dict[str, tuple[Scrape, Scrape | None]] = {}
        for node in self._nodes():
            node_name = str(node["metadata"]["name"])
            if node_name in wanted_nodes:
                scraped = await self._scrape(request, node)
                if scraped is not None:
                    scrapes[node_name] = scraped
        items = []
        for pod in pods:
            meta = pod["metadata"]
            scraped = scrapes.get((pod.get("spec") or {}).get("nodeName") or "")
            if scraped is None:
                continue
            scrape, before = scraped
            containers = []
            for (ns, pod_name, container), sample in scrape.containers.items():
                if (ns, pod_name) != (meta["namespace"], meta["name"]):
                    continue
                previous = before.containers.get((ns, pod_name, container)) if before else None
                containers.append(
                    {
                        "name": container,
                        "usage": {
                            "cpu": cpu_quantity(_rate(sample, previous)),
                            "memory": memory_quantity(sample.memory_bytes),
                        },
                    }
                )
            if not containers:
                continue
            items.append(
                {
                    "kind": "PodMetrics",
                    "apiVersion": GROUP_VERSION,
                    "metadata": {
                        "name": meta["name"],
                        "namespace": meta["namespace"],
                        "creationTimestamp": _stamp(scrape.at),
                        "labels": meta.get("labels") or {},
                    },
                    "timestamp": _stamp(scrape.at),
                    "window": WINDOW_DEFAULT,
                    "containers": containers,
                }
            )
        if name is not None:
            if not items:
                raise not_found(
                    resource=QualifiedResource("podmetrics", GROUP), name=f"{namespace}/{name}"
                )
            return web.json_response(items[0])
        return web.json_response(
            {"kind": "PodMetricsList", "apiVersion": GROUP_VERSION, "metadata": {}, "items": items}
        )
