"""What the API server does with bodies kube-apiserver refuses: each answer a named Status.

Sizes, nesting, media types, strict field validation of built-in kinds, bad quantities,
quantities stored canonical, and an unexpected exception inside the server.
"""

from __future__ import annotations

import json

import structlog
import structlog.testing
from kubernetes_asyncio import client

from localkube.server import LocalKube
from tests.localkube.conftest import call, pod_body, raw_call

MIB = 1024 * 1024


async def test_bodies_over_three_mib_are_413(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    big = {"metadata": {"name": "big"}, "data": {"blob": "x" * (3 * MIB + 10)}}
    reply = await raw_call(
        kube_api, "POST", path, data=json.dumps(big).encode(), content_type="application/json"
    )
    assert reply.status == 413
    assert reply.body["kind"] == "Status"
    assert reply.body["reason"] == "RequestEntityTooLarge"
    assert reply.body["message"] == "Request entity too large: limit is 3145728"
    assert (await call(kube_api, "GET", f"{path}/big")).status == 404


async def test_deeply_nested_bodies_are_400(kube_api: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    depth = 20000
    nested = '{"metadata":{"name":"deep","annotations":' + "[" * depth + "]" * depth + "}}"
    reply = await raw_call(
        kube_api, "POST", path, data=nested.encode(), content_type="application/json"
    )
    assert reply.status == 400
    assert reply.body["kind"] == "Status"
    assert reply.body["reason"] == "BadRequest"
    as_yaml = "metadata:\n  name: deep\n  annotations: " + "[" * depth + "]" * depth + "\n"
    reply = await raw_call(
        kube_api, "POST", path, data=as_yaml.encode(), content_type="application/yaml"
    )
    assert reply.status == 400
    assert reply.body["reason"] == "BadRequest"
    assert (await call(kube_api, "GET", path)).status == 200


async def test_text_plain_and_unknown_media_types_are_415(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    body = json.dumps({"metadata": {"name": "plain"}}).encode()
    for content_type in ("text/plain", "application/xml", "application/x-www-form-urlencoded"):
        reply = await raw_call(kube_api, "POST", path, data=body, content_type=content_type)
        assert reply.status == 415, content_type
        assert reply.body["reason"] == "UnsupportedMediaType"
        assert reply.body["message"].startswith(
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json, application/yaml"
        )
    assert (await call(kube_api, "GET", f"{path}/plain")).status == 404


async def test_strict_field_validation_of_built_in_kinds(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    pod = pod_body("strict")
    pod["spec"]["containers"][0]["imagePullPolcy"] = "Always"
    refused = await call(kube_api, "POST", path, body=pod, query={"fieldValidation": "Strict"})
    assert refused.status == 400
    assert refused.body["reason"] == "BadRequest"
    assert refused.body["message"] == (
        'strict decoding error: unknown field "spec.containers[0].imagePullPolcy"'
    )
    warned = await call(kube_api, "POST", path, body=pod)
    assert warned.status == 201
    assert 'unknown field \\"spec.containers[0].imagePullPolcy\\"' in warned.headers.get(
        "Warning", ""
    )
    # kube's typed decoder drops what the kind does not have.
    assert "imagePullPolcy" not in warned.body["spec"]["containers"][0]

    for content_type in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
        patched = await call(
            kube_api,
            "PATCH",
            f"{path}/strict",
            body={"metadata": {"labels": {"a": "b"}}, "spec": {"bogusField": 1}},
            content_type=content_type,
            query={"fieldValidation": "Strict"},
        )
        assert patched.status == 400, content_type
        assert patched.body["message"] == 'strict decoding error: unknown field "spec.bogusField"'
    unchanged = await call(kube_api, "GET", f"{path}/strict")
    assert unchanged.body["metadata"].get("labels") == {}


async def test_strategic_patch_directives_are_not_unknown_fields(
    kube_api: client.ApiClient, namespace: str
) -> None:
    """`kubectl apply` of a changed image sends `$setElementOrder/containers` with Strict."""
    path = f"/api/v1/namespaces/{namespace}/pods"
    assert (await call(kube_api, "POST", path, body=pod_body("ordered"))).status == 201
    patch = {
        "metadata": {"labels": {"app": "web"}},
        "spec": {
            "$setElementOrder/containers": [{"name": "main"}],
            "containers": [{"name": "main", "image": "busybox:1.37"}],
        },
    }
    patched = await call(
        kube_api,
        "PATCH",
        f"{path}/ordered",
        body=patch,
        content_type="application/strategic-merge-patch+json",
        query={"fieldValidation": "Strict"},
    )
    assert patched.status == 200, patched.body
    assert patched.body["spec"]["containers"][0]["image"] == "busybox:1.37"
    assert patched.body["metadata"]["labels"] == {"app": "web"}
    assert "$setElementOrder/containers" not in patched.body["spec"]


async def test_bad_quantities_are_refused_on_any_pod(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    for where in ("requests", "limits"):
        pod = pod_body(f"cpu-{where}")
        pod["spec"]["containers"][0]["resources"] = {where: {"cpu": "abc"}}
        reply = await call(kube_api, "POST", path, body=pod)
        assert reply.status == 400, reply.body
        assert reply.body["reason"] == "BadRequest"
        assert reply.body["message"] == (
            'Pod in version "v1" cannot be handled as a Pod: quantities must match the regular '
            "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        )
    listed = await call(kube_api, "GET", path)
    assert listed.body["items"] == []


async def test_quantities_are_stored_canonical(kube_api: client.ApiClient, namespace: str) -> None:
    pod = pod_body("sized")
    pod["spec"]["containers"][0]["resources"] = {
        "requests": {"cpu": "1000m", "memory": "1024Mi"},
        "limits": {"cpu": 2, "memory": "2048Mi", "ephemeral-storage": "0.5Gi"},
    }
    created = await call(kube_api, "POST", f"/api/v1/namespaces/{namespace}/pods", body=pod)
    assert created.status == 201, created.body
    resources = created.body["spec"]["containers"][0]["resources"]
    assert resources == {
        "requests": {"cpu": "1", "memory": "1Gi"},
        "limits": {"cpu": "2", "memory": "2Gi", "ephemeral-storage": "512Mi"},
    }


async def test_node_capacity_is_stored_canonical(
    kube_api: client.ApiClient, needs_embedded: LocalKube
) -> None:
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "canonical-node"},
        "status": {"capacity": {"pods": "20000", "cpu": "4000m", "memory": "8192Mi"}},
    }
    created = await call(kube_api, "POST", "/api/v1/nodes", body=node)
    try:
        assert created.status == 201, created.body
        status = {"status": {"allocatable": {"pods": 20000, "memory": "8388608Ki"}}}
        patched = await call(
            kube_api,
            "PATCH",
            "/api/v1/nodes/canonical-node/status",
            body=status,
            content_type="application/merge-patch+json",
        )
        assert patched.status == 200, patched.body
        assert patched.body["status"]["capacity"] == {"pods": "20k", "cpu": "4", "memory": "8Gi"}
        assert patched.body["status"]["allocatable"] == {"pods": "20k", "memory": "8Gi"}
    finally:
        await call(kube_api, "DELETE", "/api/v1/nodes/canonical-node")


async def test_an_unexpected_exception_is_a_500_status_and_the_server_goes_on(
    kube_api: client.ApiClient, needs_embedded: LocalKube
) -> None:
    needs_embedded.faults.crash_next()
    with structlog.testing.capture_logs() as logged:
        reply = await call(kube_api, "GET", "/api/v1/namespaces")
    assert reply.status == 500
    assert reply.body["kind"] == "Status"
    assert reply.body["reason"] == "InternalError"
    assert reply.body["message"] == "Internal error occurred: InjectedCrash: injected crash"
    failures = [e for e in logged if e["event"] == "request failed unexpectedly"]
    assert len(failures) == 1
    assert "Traceback (most recent call last)" in failures[0]["traceback"]
    assert "InjectedCrash: injected crash" in failures[0]["traceback"]
    assert (await call(kube_api, "GET", "/api/v1/namespaces")).status == 200


async def test_compact_bodies_are_read_as_any_other(
    kube_api: client.ApiClient, namespace: str
) -> None:
    """Bodies exactly as orjson writes them (what orjson clients send) take a fast reader:
    it answers what the stdlib reader answers, nesting limit included."""
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    compact = b'{"metadata":{"name":"tight","labels":{"a":"1"}},"data":{"k":"v \\u0001 \xc3\xa9"}}'
    reply = await raw_call(kube_api, "POST", path, data=compact, content_type="application/json")
    assert reply.status == 201, reply.body
    assert reply.body["metadata"]["labels"] == {"a": "1"}
    assert reply.body["data"] == {"k": "v \x01 é"}
    levels = 150
    deep = '{"metadata":{"name":"deep","annotations":' + "[" * levels + "]" * levels + "}}"
    reply = await raw_call(
        kube_api, "POST", path, data=deep.encode(), content_type="application/json"
    )
    assert reply.status == 400
    assert reply.body["message"] == "the body of the request is nested deeper than 100 levels"
