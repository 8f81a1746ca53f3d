"""Discovery answers as kube-apiserver's, so kubectl and clients find every served kind."""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio import client

from tests.localkube.conftest import call


def _by_name(resource_list: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resources = resource_list["resources"]
    assert isinstance(resources, list)
    return {r["name"]: r for r in resources}


async def test_version_and_core_group(kube_api: client.ApiClient) -> None:
    version = await call(kube_api, "GET", "/version")
    assert version.status == 200
    assert version.body["major"] == "1"
    assert version.body["gitVersion"].startswith("v1.")

    api = await call(kube_api, "GET", "/api")
    assert api.body["kind"] == "APIVersions"
    assert api.body["versions"] == ["v1"]

    core = await call(kube_api, "GET", "/api/v1")
    assert core.body["kind"] == "APIResourceList"
    assert core.body["groupVersion"] == "v1"
    resources = _by_name(core.body)
    pods = resources["pods"]
    assert pods["namespaced"] is True
    assert pods["kind"] == "Pod"
    assert "po" in pods["shortNames"]
    assert "all" in pods["categories"]
    assert {"create", "delete", "get", "list", "patch", "update", "watch"} <= set(pods["verbs"])
    assert set(resources["pods/status"]["verbs"]) >= {"get", "patch", "update"}
    assert resources["nodes"]["namespaced"] is False
    assert "nodes/status" in resources
    for name in ("namespaces", "events", "secrets", "configmaps", "serviceaccounts"):
        assert name in resources


async def test_api_groups(kube_api: client.ApiClient) -> None:
    groups = await call(kube_api, "GET", "/apis")
    assert groups.body["kind"] == "APIGroupList"
    names = {g["name"]: g for g in groups.body["groups"]}
    for group in ("coordination.k8s.io", "events.k8s.io", "apiextensions.k8s.io"):
        assert names[group]["preferredVersion"]["groupVersion"] == f"{group}/v1"

    coordination = await call(kube_api, "GET", "/apis/coordination.k8s.io")
    assert coordination.body["kind"] == "APIGroup"
    assert coordination.body["name"] == "coordination.k8s.io"

    leases = _by_name((await call(kube_api, "GET", "/apis/coordination.k8s.io/v1")).body)
    assert leases["leases"]["kind"] == "Lease"
    assert leases["leases"]["namespaced"] is True

    crds = _by_name((await call(kube_api, "GET", "/apis/apiextensions.k8s.io/v1")).body)
    assert crds["customresourcedefinitions"]["namespaced"] is False
    assert "crd" in crds["customresourcedefinitions"]["shortNames"]


async def test_system_namespaces_exist(kube_api: client.ApiClient) -> None:
    listed = await call(kube_api, "GET", "/api/v1/namespaces")
    names = {item["metadata"]["name"] for item in listed.body["items"]}
    assert {"default", "kube-system", "kube-public", "kube-node-lease"} <= names
    default = await call(kube_api, "GET", "/api/v1/namespaces/default")
    assert default.body["status"]["phase"] == "Active"


async def test_unknown_resource_is_404_status(kube_api: client.ApiClient) -> None:
    reply = await call(kube_api, "GET", "/api/v1/nosuchthings")
    assert reply.status == 404
    assert reply.body["kind"] == "Status"
    assert reply.body["reason"] == "NotFound"
    group = await call(kube_api, "GET", "/apis/no.such.group/v1")
    assert group.status == 404
