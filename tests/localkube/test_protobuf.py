"""Protobuf request bodies, as kubectl's typed clients send them, and the wire shapes' fidelity.

Bodies are encoded with the same descriptors the server decodes with (`localkube.wire`), so
these tests check that what a client means arrives intact (bytes, quantities, IntOrString,
inlined structs, zero values); `test_kubectl_create.py` checks the real kubectl's bytes.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from kubernetes_asyncio import client

from localkube.server import LocalKube
from localkube.wire.decoding import CONTENT_TYPE, MAGIC, decode_object
from localkube.wire.descriptors import message_class
from localkube.wire.encoding import encode_object
from tests.localkube.conftest import CrdUnderTest, call, pod_body, raw_call, unique

PROTOBUF = CONTENT_TYPE


async def post_protobuf(api: client.ApiClient, path: str, obj: Any) -> Any:
    return await raw_call(api, "POST", path, data=encode_object(obj), content_type=PROTOBUF)


async def test_core_kinds_created_from_protobuf(kube_api: client.ApiClient, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}"
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "regcred", "labels": {"app": "web"}},
        "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": base64.b64encode(b'{"auths":{}}').decode()},
    }
    created = await post_protobuf(kube_api, f"{base}/secrets", secret)
    assert created.status == 201, created.body
    assert created.body["data"] == secret["data"]
    assert created.body["type"] == "kubernetes.io/dockerconfigjson"
    assert created.body["metadata"]["labels"] == {"app": "web"}

    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings"},
        "data": {"mode": "fast"},
        "binaryData": {"blob": base64.b64encode(b"\x00\x01").decode()},
    }
    created = await post_protobuf(kube_api, f"{base}/configmaps", config)
    assert created.status == 201, created.body
    assert (created.body["data"], created.body["binaryData"]) == (
        config["data"],
        config["binaryData"],
    )

    account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "builder"},
        "imagePullSecrets": [{"name": "regcred"}],
        "automountServiceAccountToken": False,
    }
    created = await post_protobuf(kube_api, f"{base}/serviceaccounts", account)
    assert created.status == 201, created.body
    assert created.body["imagePullSecrets"] == [{"name": "regcred"}]
    # A pointer field set to false is sent, and kept: false is not "unset".
    assert created.body["automountServiceAccountToken"] is False

    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": "http-alt"}],
        },
    }
    created = await post_protobuf(kube_api, f"{base}/services", service)
    assert created.status == 201, created.body
    port = created.body["spec"]["ports"][0]
    assert (port["port"], port["targetPort"], port["protocol"]) == (80, "http-alt", "TCP")
    assert created.body["spec"]["type"] == "ClusterIP"
    assert created.body["spec"]["clusterIP"]


async def test_namespace_from_protobuf(kube_api: client.ApiClient) -> None:
    name = unique("pb")
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    created = await post_protobuf(kube_api, "/api/v1/namespaces", body)
    try:
        assert created.status == 201, created.body
        assert created.body["metadata"]["name"] == name
        assert created.body["status"]["phase"] == "Active"
    finally:
        await call(kube_api, "DELETE", f"/api/v1/namespaces/{name}")


async def test_pod_from_protobuf_keeps_its_spec(kube_api: client.ApiClient, namespace: str) -> None:
    pod = pod_body("wire")
    pod["spec"]["containers"][0].update(
        {
            "env": [{"name": "MODE", "value": "fast"}],
            "ports": [{"containerPort": 8080, "name": "http"}],
            "resources": {"requests": {"cpu": "500m", "memory": "1024Mi"}},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
        }
    )
    pod["spec"]["volumes"] = [{"name": "settings", "configMap": {"name": "settings"}}]
    pod["spec"]["tolerations"] = [{"key": "virtual-kubelet.io/provider", "operator": "Exists"}]
    created = await post_protobuf(kube_api, f"/api/v1/namespaces/{namespace}/pods", pod)
    assert created.status == 201, created.body
    container = created.body["spec"]["containers"][0]
    assert container["env"] == [{"name": "MODE", "value": "fast"}]
    assert container["ports"][0]["containerPort"] == 8080
    # Quantities are stored canonical, whichever wire they came on.
    assert container["resources"]["requests"] == {"cpu": "500m", "memory": "1Gi"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    # VolumeSource is inlined in JSON; its fields sit beside the volume's name.
    assert created.body["spec"]["volumes"][0] == {
        "name": "settings",
        "configMap": {"name": "settings"},
    }
    tolerations = created.body["spec"]["tolerations"]
    assert {"key": "virtual-kubelet.io/provider", "operator": "Exists"} in tolerations


@pytest.mark.parametrize(
    "obj",
    [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "replicas": 0,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
                },
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}},
            },
            "status": {},
        },
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "pi"},
            "spec": {
                "backoffLimit": 0,
                "completions": 3,
                "template": {
                    "metadata": {},
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [{"name": "pi", "image": "perl", "command": ["perl"]}],
                    },
                },
            },
            "status": {},
        },
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "nightly"},
            "spec": {
                "schedule": "0 3 * * *",
                "suspend": False,
                "jobTemplate": {
                    "metadata": {"name": "nightly"},
                    "spec": {
                        "template": {
                            "metadata": {},
                            "spec": {
                                "restartPolicy": "OnFailure",
                                "containers": [{"name": "c", "image": "busybox"}],
                            },
                        }
                    },
                },
            },
            "status": {},
        },
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "e1", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"},
            "reason": "Scheduled",
            "message": "Successfully assigned default/web to vk",
            "count": 1,
            "type": "Normal",
            "firstTimestamp": "2026-01-02T03:04:05Z",
            "eventTime": "2026-01-02T03:04:05.123456Z",
            "reportingComponent": "",
            "reportingInstance": "",
        },
    ],
    ids=lambda obj: obj["kind"],
)
def test_workload_kinds_round_trip(obj: Any) -> None:
    """Every field a client means survives the wire, zero-valued pointers included."""
    assert decode_object(encode_object(obj)) == obj


def test_go_zero_values_are_left_out_as_omitempty_does() -> None:
    """Go's protobuf encoder writes every non-pointer field, zero or not; JSON leaves the
    zeros of `omitempty` fields out, so the decoded object must too."""
    pod_class = message_class("Pod")
    pod: Any = pod_class()
    pod.metadata.name = "zeros"
    pod.metadata.namespace = ""
    pod.metadata.creationTimestamp.SetInParent()
    container = pod.spec.containers.add()
    container.name = "main"
    container.image = "busybox"
    container.workingDir = ""
    container.stdin = False
    port = container.ports.add()
    port.containerPort = 80
    port.hostPort = 0
    pod.spec.hostNetwork = False
    pod.status.SetInParent()
    envelope: Any = message_class("Unknown")()
    envelope.typeMeta.apiVersion, envelope.typeMeta.kind = "v1", "Pod"
    envelope.raw = pod.SerializeToString()
    decoded = decode_object(MAGIC + envelope.SerializeToString())
    assert decoded == {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "zeros"},
        "spec": {
            "containers": [{"name": "main", "image": "busybox", "ports": [{"containerPort": 80}]}]
        },
        "status": {},
    }


async def test_unknown_field_numbers_are_refused_not_dropped(
    kube_api: client.ApiClient, namespace: str, needs_embedded: LocalKube
) -> None:
    body = bytearray(
        encode_object({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    )
    # Append field 99 (length-delimited, empty) to the ConfigMap inside the envelope: rebuild.
    envelope: Any = message_class("Unknown")()
    envelope.ParseFromString(bytes(body[len(MAGIC) :]))
    envelope.raw = envelope.raw + b"\x9a\x06\x00"
    reply = await raw_call(
        kube_api,
        "POST",
        f"/api/v1/namespaces/{namespace}/configmaps",
        data=MAGIC + envelope.SerializeToString(),
        content_type=PROTOBUF,
    )
    assert reply.status == 400
    assert reply.body["reason"] == "BadRequest"
    assert "field number(s) 99" in reply.body["message"]
    assert (
        await call(kube_api, "GET", f"/api/v1/namespaces/{namespace}/configmaps/x")
    ).status == 404


async def test_protobuf_bodies_that_cannot_be_decoded(
    kube_api: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    no_magic = await raw_call(kube_api, "POST", path, data=b"\x0a\x02hi", content_type=PROTOBUF)
    assert no_magic.status == 400
    assert no_magic.body["kind"] == "Status"
    garbage = await raw_call(
        kube_api, "POST", path, data=MAGIC + b"\xff\xff\xff", content_type=PROTOBUF
    )
    assert garbage.status == 400
    assert garbage.body["kind"] == "Status"


async def test_custom_resources_take_no_protobuf(
    kube_api: client.ApiClient, crd: CrdUnderTest
) -> None:
    reply = await raw_call(
        kube_api,
        "POST",
        crd.base,
        data=encode_object({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
        content_type=PROTOBUF,
    )
    assert reply.status == 415
    assert reply.body["reason"] == "UnsupportedMediaType"
    assert reply.body["message"].startswith(
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml"
    )
    assert PROTOBUF not in reply.body["message"]
