"""Prometheus metrics of the ECI API: calls by action and result code, and their latency.

Each `Simulator` has its own registry, so several simulators in one process
(tests) never mix their numbers. Counting costs a dict lookup per call: the
label children are cached here rather than resolved through `labels()` each
time, because the edge must stay fast (over 1,000 signed calls/s).
"""

from __future__ import annotations

import weakref

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
"""Seconds; most calls finish in milliseconds, injected latency reaches seconds."""


class ApiMetrics:
    """The counters the edge updates and the admin API exposes."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._calls = Counter(
            "eci_api_calls",
            "ECI API calls answered, by action and result code (Success or the ECI error code).",
            ("action", "code"),
            registry=self.registry,
        )
        self._latency = Histogram(
            "eci_api_call_duration_seconds",
            "Real time from request received to response ready, by action.",
            ("action",),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.resources = Gauge(
            "eci_resources",
            "Container groups and image caches held by the simulator, by kind and state.",
            ("kind", "state"),
            registry=self.registry,
        )
        self._connections = Counter(
            "eci_api_connections",
            "TCP connections that carried ECI API calls (a client reusing connections opens"
            " fewer than it makes calls).",
            registry=self.registry,
        )
        self._seen_connections: weakref.WeakSet[object] = weakref.WeakSet()
        self._call_children: dict[tuple[str, str], Counter] = {}
        self._latency_children: dict[str, Histogram] = {}

    def observe(self, *, action: str, code: str, seconds: float) -> None:
        key = (action, code)
        counter = self._call_children.get(key)
        if counter is None:
            counter = self._call_children[key] = self._calls.labels(action, code)
        counter.inc()
        histogram = self._latency_children.get(action)
        if histogram is None:
            histogram = self._latency_children[action] = self._latency.labels(action)
        histogram.observe(seconds)

    def saw_connection(self, transport: object) -> None:
        """Count `transport` (a request's connection) the first time a call arrives on it."""
        if transport is not None and transport not in self._seen_connections:
            self._seen_connections.add(transport)
            self._connections.inc()

    def set_resource_counts(self, counts: dict[tuple[str, str], int]) -> None:
        """Replace the resource gauges with `{(kind, state): count}`."""
        self.resources.clear()
        for (kind, state), count in counts.items():
            self.resources.labels(kind, state).set(count)
