"""Pod and container usage for `/stats/summary` and `/metrics/resource`, from ECI's metrics.

ECI measures each container group (DescribeMultiContainerGroupMetric); this
module turns the latest records into the kubelet's two formats, the ones
metrics-server scrapes: the Summary API JSON (`usageNanoCores`,
`usageCoreNanoSeconds`, `workingSetBytes`, ...) and the resource metrics in
Prometheus text (`container_cpu_usage_seconds_total`,
`container_memory_working_set_bytes`, `container_start_time_seconds`, and the
pod and node sums). The node's figures are the sum of its Pods': a virtual
node has no machine of its own.

Cumulative CPU counters must grow in the scraper's (wall-clock) seconds,
while ECI's `UsageCoreNanoSeconds` grows in ECI's, which a simulator may run
faster. `CpuCounters` therefore keeps one counter per container run: it
starts from ECI's figure (divided by the estimated `eci_rate`, ECI seconds
per agent second) and then adds the usage ECI reported at the previous
scrape times the agent seconds since, so the rate a scraper computes from
two scrapes is exactly the usage ECI reported. Pods whose
group has no record yet (not running) are left out, as a kubelet leaves out
containers cAdvisor has not seen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ContainerUsage:
    name: str
    nano_cores: int
    core_nano_seconds: int
    working_set_bytes: int
    usage_bytes: int
    rss_bytes: int
    available_bytes: int
    started_at: str | None


@dataclass(frozen=True)
class PodUsage:
    namespace: str
    name: str
    uid: str
    started_at: str | None
    containers: tuple[ContainerUsage, ...]

    @property
    def nano_cores(self) -> int:
        return sum(c.nano_cores for c in self.containers)

    @property
    def core_nano_seconds(self) -> int:
        return sum(c.core_nano_seconds for c in self.containers)

    @property
    def working_set_bytes(self) -> int:
        return sum(c.working_set_bytes for c in self.containers)


class CpuCounters:
    """Per container run (pod uid, container, start time): a counter in agent seconds."""

    def __init__(self) -> None:
        self._counters: dict[tuple[str, str, str], tuple[float, int, int]] = {}
        """key -> (agent time of the last scrape, counter in core-ns, nano-cores then)."""

    def advance(
        self, key: tuple[str, str, str], *, now: float, eci_core_nano_seconds: int, nano_cores: int
    ) -> int:
        previous = self._counters.get(key)
        if previous is None:
            counter = eci_core_nano_seconds
        else:
            then, counter, cores = previous
            counter += int(cores * max(now - then, 0.0))
        self._counters[key] = (now, counter, nano_cores)
        return counter

    def keep_only(self, keys: set[tuple[str, str, str]]) -> None:
        self._counters = {k: v for k, v in self._counters.items() if k in keys}


def _started(pod: Mapping[str, Any]) -> dict[str, str]:
    started = {}
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        running = (status.get("state") or {}).get("running") or {}
        if running.get("startedAt"):
            started[str(status.get("name"))] = str(running["startedAt"])
    return started


def pod_usages(
    pods: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]],
    *,
    eci_rate: float,
    counters: CpuCounters,
    now: float,
) -> list[PodUsage]:
    """(Pod, ECI record) pairs as usage figures, counters in agent seconds."""
    usages = []
    rate = eci_rate if eci_rate > 0 else 1.0
    seen: set[tuple[str, str, str]] = set()
    for pod, record in pods:
        meta = pod["metadata"]
        started = _started(pod)
        containers = []
        for item in record.get("Containers") or []:
            cpu, memory = item.get("CPU") or {}, item.get("Memory") or {}
            name = str(item.get("Name"))
            key = (str(meta["uid"]), name, started.get(name, ""))
            seen.add(key)
            nano_cores = int(cpu.get("UsageNanoCores") or 0)
            counter = counters.advance(
                key,
                now=now,
                eci_core_nano_seconds=int(int(cpu.get("UsageCoreNanoSeconds") or 0) / rate),
                nano_cores=nano_cores,
            )
            containers.append(
                ContainerUsage(
                    name=name,
                    nano_cores=nano_cores,
                    core_nano_seconds=counter,
                    working_set_bytes=int(memory.get("WorkingSet") or 0),
                    usage_bytes=int(memory.get("UsageBytes") or 0),
                    rss_bytes=int(memory.get("Rss") or 0),
                    available_bytes=int(memory.get("AvailableBytes") or 0),
                    started_at=started.get(str(item.get("Name"))),
                )
            )
        usages.append(
            PodUsage(
                namespace=str(meta["namespace"]),
                name=str(meta["name"]),
                uid=str(meta["uid"]),
                started_at=(pod.get("status") or {}).get("startTime"),
                containers=tuple(containers),
            )
        )
    counters.keep_only(seen)
    return usages


def _cpu(now: str, nano_cores: int, core_nano_seconds: int) -> dict[str, Any]:
    return {"time": now, "usageNanoCores": nano_cores, "usageCoreNanoSeconds": core_nano_seconds}


def summary(*, node: str, started: str, now: str, pods: Sequence[PodUsage]) -> dict[str, Any]:
    """The Summary API body (`/stats/summary`)."""
    items = []
    for pod in pods:
        items.append(
            {
                "podRef": {"name": pod.name, "namespace": pod.namespace, "uid": pod.uid},
                "startTime": pod.started_at,
                "containers": [
                    {
                        "name": c.name,
                        "startTime": c.started_at or pod.started_at,
                        "cpu": _cpu(now, c.nano_cores, c.core_nano_seconds),
                        "memory": {
                            "time": now,
                            "availableBytes": c.available_bytes,
                            "usageBytes": c.usage_bytes,
                            "workingSetBytes": c.working_set_bytes,
                            "rssBytes": c.rss_bytes,
                        },
                    }
                    for c in pod.containers
                ],
                "cpu": _cpu(now, pod.nano_cores, pod.core_nano_seconds),
                "memory": {"time": now, "workingSetBytes": pod.working_set_bytes},
            }
        )
    return {
        "node": {
            "nodeName": node,
            "startTime": started,
            "cpu": _cpu(
                now, sum(p.nano_cores for p in pods), sum(p.core_nano_seconds for p in pods)
            ),
            "memory": {"time": now, "workingSetBytes": sum(p.working_set_bytes for p in pods)},
        },
        "pods": items,
    }


_HELP = {
    "container_cpu_usage_seconds_total": (
        "counter",
        "[STABLE] Cumulative cpu time consumed by the container in core-seconds",
    ),
    "container_memory_working_set_bytes": (
        "gauge",
        "[STABLE] Current working set of the container in bytes",
    ),
    "container_start_time_seconds": (
        "gauge",
        "[STABLE] Start time of the container since unix epoch in seconds",
    ),
    "node_cpu_usage_seconds_total": (
        "counter",
        "[STABLE] Cumulative cpu time consumed by the node in core-seconds",
    ),
    "node_memory_working_set_bytes": (
        "gauge",
        "[STABLE] Current working set of the node in bytes",
    ),
    "pod_cpu_usage_seconds_total": (
        "counter",
        "[STABLE] Cumulative cpu time consumed by the pod in core-seconds",
    ),
    "pod_memory_working_set_bytes": (
        "gauge",
        "[STABLE] Current working set of the pod in bytes",
    ),
    "resource_scrape_error": (
        "gauge",
        "[STABLE] 1 if there was an error while getting container metrics, 0 otherwise",
    ),
}


def _seconds(nanos: int) -> str:
    return f"{nanos / 1e9:.9f}".rstrip("0").rstrip(".") or "0"


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def resource_metrics(*, pods: Sequence[PodUsage], millis: int, scrape_error: bool) -> str:
    """The kubelet's `/metrics/resource` in Prometheus text format."""
    samples: dict[str, list[str]] = {name: [] for name in _HELP}
    stamp = f" {millis}"
    samples["node_cpu_usage_seconds_total"].append(
        _seconds(sum(p.core_nano_seconds for p in pods)) + stamp
    )
    samples["node_memory_working_set_bytes"].append(
        f"{sum(p.working_set_bytes for p in pods)}{stamp}"
    )
    for pod in pods:
        pod_labels = f'namespace="{pod.namespace}",pod="{pod.name}"'
        samples["pod_cpu_usage_seconds_total"].append(
            f"{{{pod_labels}}} {_seconds(pod.core_nano_seconds)}{stamp}"
        )
        samples["pod_memory_working_set_bytes"].append(
            f"{{{pod_labels}}} {pod.working_set_bytes}{stamp}"
        )
        for c in pod.containers:
            labels = f'container="{c.name}",{pod_labels}'
            samples["container_cpu_usage_seconds_total"].append(
                f"{{{labels}}} {_seconds(c.core_nano_seconds)}{stamp}"
            )
            samples["container_memory_working_set_bytes"].append(
                f"{{{labels}}} {c.working_set_bytes}{stamp}"
            )
            if c.started_at:
                samples["container_start_time_seconds"].append(
                    f"{{{labels}}} {_epoch(c.started_at):.0f}{stamp}"
                )
    samples["resource_scrape_error"].append("1" if scrape_error else "0")
    lines = []
    for name, (kind, text) in _HELP.items():
        lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
        lines += [
            f"{name}{sample}" if sample.startswith("{") else f"{name} {sample}"
            for sample in samples[name]
        ]
    return "\n".join(lines) + "\n"
