"""What default admission does to a new Pod on kube-apiserver, and what a new namespace holds.

Real clusters refuse Pods until the namespace's ServiceAccount exists, mount its token into
every container, and add 300 s tolerations of the node-problem taints; the agent receives
such Pods, so the embedded server makes them the same way.
"""

from __future__ import annotations

from kubernetes_asyncio import client

from tests.localkube.conftest import ABSENT_NODE, call, pod_body

TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"


async def test_pod_gets_the_service_account_token_volume(
    kube_api: client.ApiClient, namespace: str
) -> None:
    body = pod_body("tokened", node=ABSENT_NODE)
    body["spec"]["initContainers"] = [{"name": "setup", "image": "busybox:1.36"}]
    reply = await call(kube_api, "POST", f"/api/v1/namespaces/{namespace}/pods", body=body)
    assert reply.status == 201, reply.body
    spec = reply.body["spec"]
    assert spec["serviceAccountName"] == "default"
    (volume,) = spec["volumes"]
    assert volume["name"].startswith("kube-api-access-")
    sources = volume["projected"]["sources"]
    assert sources[0]["serviceAccountToken"]["path"] == "token"
    assert sources[1]["configMap"]["name"] == "kube-root-ca.crt"
    for container in [*spec["initContainers"], *spec["containers"]]:
        assert container["volumeMounts"] == [
            {"name": volume["name"], "readOnly": True, "mountPath": TOKEN_PATH}
        ]


async def test_automount_false_means_no_token_volume(
    kube_api: client.ApiClient, namespace: str
) -> None:
    body = pod_body("quiet", node=ABSENT_NODE)
    body["spec"]["automountServiceAccountToken"] = False
    reply = await call(kube_api, "POST", f"/api/v1/namespaces/{namespace}/pods", body=body)
    assert reply.status == 201, reply.body
    assert "volumes" not in reply.body["spec"]
    assert "volumeMounts" not in reply.body["spec"]["containers"][0]


async def test_default_tolerations_of_node_problems(
    kube_api: client.ApiClient, namespace: str
) -> None:
    body = pod_body("tolerant", node=ABSENT_NODE)
    own = {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}
    body["spec"]["tolerations"] = [own]
    reply = await call(kube_api, "POST", f"/api/v1/namespaces/{namespace}/pods", body=body)
    assert reply.status == 201, reply.body
    assert reply.body["spec"]["tolerations"] == [
        own,
        {
            "key": "node.kubernetes.io/not-ready",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        },
    ]


async def test_pod_of_a_missing_service_account_is_forbidden(
    kube_api: client.ApiClient, namespace: str
) -> None:
    body = pod_body("orphan", node=ABSENT_NODE)
    body["spec"]["serviceAccountName"] = "nobody"
    reply = await call(kube_api, "POST", f"/api/v1/namespaces/{namespace}/pods", body=body)
    assert reply.status == 403
    assert reply.body["reason"] == "Forbidden"
    assert reply.body["message"] == (
        f'pods "orphan" is forbidden: error looking up service account {namespace}/nobody: '
        'serviceaccount "nobody" not found'
    )


async def test_new_namespace_holds_its_account_and_root_ca(
    kube_api: client.ApiClient, namespace: str
) -> None:
    accounts = await call(kube_api, "GET", f"/api/v1/namespaces/{namespace}/serviceaccounts")
    assert "default" in [a["metadata"]["name"] for a in accounts.body["items"]]
    root_ca = await call(
        kube_api, "GET", f"/api/v1/namespaces/{namespace}/configmaps/kube-root-ca.crt"
    )
    assert root_ca.status == 200
    assert "ca.crt" in root_ca.body["data"]
