"""The real kubectl's typed commands (protobuf bodies) and its everyday verbs on their objects.

`kubectl create namespace|secret|configmap|serviceaccount|service` send protobuf with no JSON
fallback; the rest (`label`, `annotate`, `patch`, `apply`, `apply --server-side`, `wait`,
`events`, `describe`, `delete`) send JSON or read. Each step checks what a user would see.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.fixtures.kube import KubeTarget
from tests.localkube.conftest import unique
from tests.localkube.test_kubectl import kubectl

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


async def test_kubectl_create_subcommands(kube: KubeTarget, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ns = unique("kc")

    async def run(*args: str, stdin: str | None = None) -> str:
        code, out, err = await kubectl(kube.kubeconfig, cache, *args, stdin=stdin)
        assert code == 0, f"kubectl {' '.join(args)}: {err}"
        return out.strip()

    assert await run("create", "namespace", ns) == f"namespace/{ns} created"
    try:
        created = await run(
            "create",
            "secret",
            "docker-registry",
            "regcred",
            "--docker-server=registry.example.com",
            "--docker-username=robot",
            "--docker-password=s3cret",
            "-n",
            ns,
        )
        assert created == "secret/regcred created"
        secret = json.loads(await run("get", "secret", "regcred", "-n", ns, "-o", "json"))
        assert secret["type"] == "kubernetes.io/dockerconfigjson"
        auths = json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))["auths"]
        assert auths["registry.example.com"]["username"] == "robot"
        assert auths["registry.example.com"]["password"] == "s3cret"
        described = await run("describe", "secret", "regcred", "-n", ns)
        assert "kubernetes.io/dockerconfigjson" in described

        assert await run(
            "create", "secret", "generic", "plain", "--from-literal=token=abc", "-n", ns
        ) == ("secret/plain created")
        plain = json.loads(await run("get", "secret", "plain", "-n", ns, "-o", "json"))
        assert base64.b64decode(plain["data"]["token"]) == b"abc"
        assert plain["type"] == "Opaque"

        assert await run(
            "create", "configmap", "settings", "--from-literal=mode=fast", "-n", ns
        ) == ("configmap/settings created")
        mode = await run("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.mode}")
        assert mode == "fast"

        assert await run("create", "serviceaccount", "builder", "-n", ns) == (
            "serviceaccount/builder created"
        )
        assert "builder" in await run("get", "serviceaccounts", "-n", ns)

        assert await run("create", "service", "clusterip", "web", "--tcp=80:8080", "-n", ns) == (
            "service/web created"
        )
        service = json.loads(await run("get", "service", "web", "-n", ns, "-o", "json"))
        port = service["spec"]["ports"][0]
        assert (port["port"], port["targetPort"], port["protocol"]) == (80, 8080, "TCP")
        assert service["spec"]["selector"] == {"app": "web"}
        assert service["spec"]["type"] == "ClusterIP"

        header, row = (await run("get", "services", "-n", ns)).splitlines()[:2]
        assert header.split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
        cells = row.split()
        assert (cells[0], cells[1], cells[2], cells[3], cells[4]) == (
            "web",
            "ClusterIP",
            service["spec"]["clusterIP"],
            "<none>",
            "80/TCP",
        )
        lines = (await run("get", "secrets", "-n", ns)).splitlines()
        assert lines[0].split() == ["NAME", "TYPE", "DATA", "AGE"]
        rows = {line.split()[0]: line.split()[1:3] for line in lines[1:]}
        assert rows["regcred"] == ["kubernetes.io/dockerconfigjson", "1"]
        assert rows["plain"] == ["Opaque", "1"]
    finally:
        await kubectl(kube.kubeconfig, cache, "delete", "namespace", ns, "--wait=false")


async def test_kubectl_verbs_on_a_configmap(kube: KubeTarget, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ns = unique("kv")

    async def run(*args: str, stdin: str | None = None) -> str:
        code, out, err = await kubectl(kube.kubeconfig, cache, *args, stdin=stdin)
        assert code == 0, f"kubectl {' '.join(args)}: {err}"
        return out.strip()

    await run("create", "namespace", ns)
    try:
        await run("create", "configmap", "c", "--from-literal=k=v", "-n", ns)
        assert await run("label", "configmap", "c", "tier=front", "-n", ns) == (
            "configmap/c labeled"
        )
        assert await run("annotate", "configmap", "c", "note=hi", "-n", ns) == (
            "configmap/c annotated"
        )
        assert await run("patch", "configmap", "c", "-n", ns, "-p", '{"data":{"k2":"v2"}}') == (
            "configmap/c patched"
        )
        got = json.loads(await run("get", "configmap", "c", "-n", ns, "-o", "json"))
        assert got["metadata"]["labels"] == {"tier": "front"}
        assert got["metadata"]["annotations"]["note"] == "hi"
        assert got["data"] == {"k": "v", "k2": "v2"}
        waited = await run(
            "wait", "--for=jsonpath={.data.k2}=v2", "configmap/c", "-n", ns, "--timeout=10s"
        )
        assert waited == "configmap/c condition met"

        manifest = tmp_path / "applied.yaml"
        document = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "applied", "namespace": ns},
            "data": {"a": "1"},
        }
        manifest.write_text(yaml.safe_dump(document))
        assert await run("apply", "-f", str(manifest)) == "configmap/applied created"
        document["data"] = {"a": "1", "b": "2"}
        manifest.write_text(yaml.safe_dump(document))
        assert await run("apply", "-f", str(manifest)) == "configmap/applied configured"

        server_side = tmp_path / "server-side.yaml"
        server_side.write_text(
            yaml.safe_dump({**document, "metadata": {"name": "ssa", "namespace": ns}})
        )
        assert await run("apply", "--server-side", "-f", str(server_side)) == (
            "configmap/ssa serverside-applied"
        )
        applied = json.loads(
            await run("get", "configmap", "ssa", "-n", ns, "-o", "json", "--show-managed-fields")
        )
        managers = [(m["manager"], m["operation"]) for m in applied["metadata"]["managedFields"]]
        assert ("kubectl", "Apply") in managers
        assert applied["data"] == {"a": "1", "b": "2"}

        other = tmp_path / "other.yaml"
        other.write_text(
            yaml.safe_dump(
                {**document, "metadata": {"name": "ssa", "namespace": ns}, "data": {"a": "9"}}
            )
        )
        code, _, err = await kubectl(
            kube.kubeconfig,
            cache,
            "apply",
            "--server-side",
            "--field-manager=other",
            "-f",
            str(other),
        )
        assert code != 0
        assert 'Apply failed with 1 conflict: conflict with "kubectl"' in err
        assert ".data.a" in err
        await run(
            "apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", str(other)
        )
        assert await run("get", "configmap", "ssa", "-n", ns, "-o", "jsonpath={.data.a}") == "9"

        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "c.1", "namespace": ns},
            "involvedObject": {"kind": "ConfigMap", "name": "c", "namespace": ns},
            "reason": "Checked",
            "message": "configmap looked at",
            "type": "Normal",
            "firstTimestamp": "2026-01-02T03:04:05Z",
            "lastTimestamp": "2026-01-02T03:04:05Z",
            "count": 1,
            "source": {"component": "localkube-test"},
        }
        await run("create", "-f", "-", stdin=json.dumps(event))
        events = await run("events", "-n", ns)
        assert "Checked" in events
        assert "configmap looked at" in events

        assert await run("delete", "configmap", "c", "-n", ns) == 'configmap "c" deleted'
        code, _, err = await kubectl(kube.kubeconfig, cache, "get", "configmap", "c", "-n", ns)
        assert code != 0
        assert 'configmaps "c" not found' in err
    finally:
        await kubectl(kube.kubeconfig, cache, "delete", "namespace", ns, "--wait=false")
