"""Helpers for the localkube conformance tests: raw HTTP calls, a fresh namespace, a test CRD.

The tests assert what kube-apiserver answers, byte-level where clients depend on it (Status
bodies), so they speak raw HTTP through the kubernetes_asyncio ApiClient (which carries a
real cluster's credentials when `KUBECONFIG` is set) instead of the generated models.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from kubernetes_asyncio import client

from tests.polling import eventually

JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: Mapping[str, str]


async def call(
    api: client.ApiClient,
    method: str,
    path: str,
    *,
    body: Any = None,
    query: Mapping[str, str] | None = None,
    content_type: str = JSON,
    accept: str = JSON,
) -> Reply:
    """One raw request; never raises for HTTP errors."""
    response = await api.call_api(
        path,
        method,
        query_params=list((query or {}).items()),
        header_params={"Content-Type": content_type, "Accept": accept},
        body=body,
        auth_settings=["BearerToken"],
        _preload_content=False,
    )
    try:
        raw = await response.read()
    finally:
        response.release()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode()
    return Reply(response.status, parsed, dict(response.headers))


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


@pytest.fixture
async def namespace(kube_api: client.ApiClient) -> AsyncIterator[str]:
    name = unique("lk")
    reply = await call(kube_api, "POST", "/api/v1/namespaces", body={"metadata": {"name": name}})
    assert reply.status == 201, reply.body

    async def namespace_furnished() -> bool:
        account = f"/api/v1/namespaces/{name}/serviceaccounts/default"
        root_ca = f"/api/v1/namespaces/{name}/configmaps/kube-root-ca.crt"
        return (await call(kube_api, "GET", account)).status == 200 and (
            await call(kube_api, "GET", root_ca)
        ).status == 200

    # A real cluster's controllers create the `default` ServiceAccount (Pod admission refuses
    # pods until it exists) and the `kube-root-ca.crt` ConfigMap a moment later; waiting for
    # both keeps that ConfigMap out of the watches and lists of the tests.
    await eventually(namespace_furnished, what="default ServiceAccount and kube-root-ca.crt")
    yield name
    pods = await call(kube_api, "GET", f"/api/v1/namespaces/{name}/pods")
    for pod in pods.body.get("items", []):
        path = f"/api/v1/namespaces/{name}/pods/{pod['metadata']['name']}"
        if pod["metadata"].get("finalizers"):
            patch = {"metadata": {"finalizers": None}}
            await call(kube_api, "PATCH", path, body=patch, content_type=MERGE_PATCH)
        await call(kube_api, "DELETE", path, body={"gracePeriodSeconds": 0})
    await call(kube_api, "DELETE", f"/api/v1/namespaces/{name}")


ABSENT_NODE = "localkube-test-node-absent"
"""Pods bound here are never scheduled or run by anyone, even on a real cluster."""
NO_SCHEDULER = "localkube-test-no-scheduler"
"""Unbound test pods name a scheduler nobody runs, so a real cluster leaves them unbound."""


def pod_body(name: str, *, node: str | None = None, labels: dict[str, str] | None = None) -> Any:
    spec: dict[str, Any] = {"containers": [{"name": "main", "image": "busybox:1.36"}]}
    if node:
        spec["nodeName"] = node
    else:
        spec["schedulerName"] = NO_SCHEDULER
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {}},
        "spec": spec,
    }


@dataclass(frozen=True)
class CrdUnderTest:
    group: str
    plural: str
    kind: str

    @property
    def name(self) -> str:
        return f"{self.plural}.{self.group}"

    @property
    def base(self) -> str:
        return f"/apis/{self.group}/v1/{self.plural}"


def crd_manifest(group: str) -> Any:
    """An ImageCache-shaped CRD (cluster scope, status, printer columns) in its own group."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"imagecaches.{group}"},
        "spec": {
            "group": group,
            "scope": "Cluster",
            "names": {
                "plural": "imagecaches",
                "singular": "imagecache",
                "kind": "ImageCache",
                "shortNames": ["lkic"],
                "categories": ["lktest"],
            },
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": [
                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                        {"name": "CacheId", "type": "string", "jsonPath": ".status.imageCacheId"},
                        {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
                        {"name": "Progress", "type": "string", "jsonPath": ".status.progress"},
                    ],
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "required": ["images"],
                                    "properties": {
                                        "images": {
                                            "type": "array",
                                            "minItems": 1,
                                            "items": {"type": "string"},
                                        },
                                        "imageCacheSize": {
                                            "type": "integer",
                                            "minimum": 20,
                                            "maximum": 32768,
                                            "default": 20,
                                        },
                                        "retentionDays": {
                                            "type": "integer",
                                            "minimum": 1,
                                            "maximum": 65536,
                                        },
                                        "labels": {
                                            "type": "object",
                                            "x-kubernetes-preserve-unknown-fields": True,
                                        },
                                    },
                                },
                                "status": {
                                    "type": "object",
                                    "properties": {
                                        "phase": {"type": "string"},
                                        "progress": {"type": "string"},
                                        "imageCacheId": {"type": "string"},
                                    },
                                },
                            },
                        }
                    },
                }
            ],
        },
    }


@pytest.fixture
async def crd(kube_api: client.ApiClient) -> AsyncIterator[CrdUnderTest]:
    group = f"{unique('t')}.localkube.test"
    created = CrdUnderTest(group=group, plural="imagecaches", kind="ImageCache")
    path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    reply = await call(kube_api, "POST", path, body=crd_manifest(group))
    assert reply.status == 201, reply.body

    async def established() -> bool:
        got = await call(kube_api, "GET", f"{path}/{created.name}")
        conditions = (got.body.get("status") or {}).get("conditions") or []
        ready = any(c["type"] == "Established" and c["status"] == "True" for c in conditions)
        served = await call(kube_api, "GET", created.base)
        return ready and served.status == 200

    await eventually(established, what="CRD established and served")
    yield created
    await call(kube_api, "DELETE", f"{path}/{created.name}")


async def raw_call(
    api: client.ApiClient,
    method: str,
    path: str,
    *,
    data: bytes,
    content_type: str | None,
    query: Mapping[str, str] | None = None,
) -> Reply:
    """One request with a body sent byte for byte (the generated client would re-encode it)."""
    configuration = api.configuration
    headers = {"Accept": JSON}
    if content_type is not None:
        headers["Content-Type"] = content_type
    for setting in (await configuration.auth_settings()).values():
        if setting["in"] == "header" and setting["value"]:
            headers[setting["key"]] = setting["value"]
    session = api.rest_client.pool_manager
    async with session.request(
        method,
        f"{configuration.host}{path}",
        params=dict(query or {}),
        data=data,
        headers=headers,
    ) as response:
        raw = await response.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return Reply(response.status, parsed, dict(response.headers))
