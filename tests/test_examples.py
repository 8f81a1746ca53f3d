"""Every manifest in examples/ applies cleanly once crd/ is applied, and the Pods and
Deployments of the examples reach their documented outcome.

Two clients apply, as users would: kubernetes_asyncio's DynamicClient (discovery, then a
create per document) and kubectl (`kubectl apply`, server-side field validation; skipped
when kubectl is not installed), both against an embedded API server of their own. The
outcome test runs the node agent against the `kube` fixture (the embedded server with its
scheduler and controllers, or the cluster of `KUBECONFIG` with the real ones): the
auto-cache Deployment becomes Available with its Pods Running on the virtual node, and the
auto-cache Pod (nodeSelector and toleration, no nodeName) is scheduled there and runs.
`examples/workloads/` (users' own manifests, driven through the agent in
tests/vkprovider/pods/test_workloads.py) is applied too.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes_asyncio import client as k8s
from kubernetes_asyncio import config as k8s_config
from kubernetes_asyncio.dynamic import DynamicClient

from localkube.server import LocalKube, LocalKubeSettings
from tests.fixtures.kube import KubeTarget
from tests.polling import eventually
from tests.vkprovider.conftest import AgentHandle, agent, agent_settings, namespace

__all__ = ["agent", "agent_settings", "namespace"]

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml")) + sorted(
    (REPO / "examples" / "workloads").glob("*.yaml")
)
CRDS = sorted((REPO / "crd").glob("*.yaml"))
KUBECTL = shutil.which("kubectl")


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def test_there_are_examples_of_every_kind_the_agent_handles() -> None:
    kinds = {doc["kind"] for path in EXAMPLES for doc in documents(path)}
    assert {"ImageCache", "Pod", "Deployment", "Secret"} <= kinds
    assert {"ConfigMap", "Job", "CronJob"} <= kinds


@pytest.fixture
async def embedded_kube(tmp_path: Path) -> AsyncIterator[tuple[LocalKube, Path]]:
    async with LocalKube(LocalKubeSettings(port=0)) as server:
        yield server, server.write_kubeconfig(tmp_path / "kubeconfig")


async def _established(api: k8s.ApiClient, name: str) -> None:
    extensions = k8s.ApiextensionsV1Api(api)

    async def established() -> bool:
        crd = await extensions.read_custom_resource_definition(name)
        conditions = (crd.status and crd.status.conditions) or []
        return any(c.type == "Established" and c.status == "True" for c in conditions)

    await eventually(established, what=f"CRD {name} Established", deadline_seconds=10)


async def _create(dynamic: DynamicClient, doc: dict[str, Any]) -> dict[str, Any]:
    resource = await dynamic.resources.get(api_version=doc["apiVersion"], kind=doc["kind"])
    namespace = doc["metadata"].get("namespace", "default") if resource.namespaced else None
    created = await dynamic.create(resource, body=doc, namespace=namespace)
    return dict(created.to_dict())


def _contains(actual: Any, expected: Any) -> bool:
    """`expected` is found in `actual`: dict keys recursively, lists item by item.

    A list may hold more items after the expected ones: admission appends to a Pod's
    tolerations (DefaultTolerationSeconds), volumes and volumeMounts (the token volume).
    """
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and _contains(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) >= len(expected)
            and all(_contains(a, e) for a, e in zip(actual, expected, strict=False))
        )
    return bool(actual == expected)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
async def test_example_applies_with_kubernetes_asyncio(
    embedded_kube: tuple[LocalKube, Path], path: Path, tmp_path: Path
) -> None:
    _, kubeconfig = embedded_kube
    api = await k8s_config.new_client_from_config(config_file=str(kubeconfig))
    try:
        before = await DynamicClient(api, cache_file=str(tmp_path / "discovery-before.json"))
        for crd_path in CRDS:
            for doc in documents(crd_path):
                await _create(before, doc)
                await _established(api, doc["metadata"]["name"])
        # A fresh client discovers the custom resources, as kubectl does after a CRD apply.
        dynamic = await DynamicClient(api, cache_file=str(tmp_path / "discovery.json"))
        for doc in documents(path):
            namespace = doc["metadata"].get("namespace")
            if namespace and namespace != "default":
                core: Any = k8s.CoreV1Api(api)
                await core.create_namespace({"metadata": {"name": namespace}})
            created = await _create(dynamic, doc)
            assert created["metadata"]["name"] == doc["metadata"]["name"]
            assert created["metadata"]["uid"]
            # Nothing the example says was pruned or rewritten (defaults may be added).
            assert _contains(created.get("spec"), doc.get("spec")), path.name
            assert _contains(created["metadata"], doc["metadata"]), path.name
    finally:
        await api.close()


def _served_kinds(kubeconfig: Path) -> set[str]:
    result = subprocess.run(
        [KUBECTL or "kubectl", "--kubeconfig", str(kubeconfig), "api-resources", "-o", "name"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return set(result.stdout.split())


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
async def test_every_example_applies_with_kubectl(embedded_kube: tuple[LocalKube, Path]) -> None:
    _, kubeconfig = embedded_kube

    def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [KUBECTL or "kubectl", "--kubeconfig", str(kubeconfig), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    def run_all() -> list[str]:
        applied = []
        for crd_path in CRDS:
            result = kubectl("apply", "-f", str(crd_path))
            assert result.returncode == 0, result.stderr
        result = kubectl("wait", "--for=condition=Established", "--timeout=20s", "crd", "--all")
        assert result.returncode == 0, result.stderr
        assert "deployments.apps" in _served_kinds(kubeconfig)
        for path in EXAMPLES:
            result = kubectl("apply", "-f", str(path))
            assert result.returncode == 0, f"{path.name}: {result.stderr}"
            applied.append(path.name)
        return applied

    applied = await asyncio.to_thread(run_all)
    assert {path.name for path in EXAMPLES} == set(applied)
    assert {
        "imagecache-sample.yaml",
        "pod-auto-cache.yaml",
        "pod-explicit-cache.yaml",
        "deployment-auto-cache.yaml",
        "deployment-explicit-cache.yaml",
    } <= set(applied)


async def _kubectl(kubeconfig: Path, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        KUBECTL or "kubectl",
        f"--kubeconfig={kubeconfig}",
        f"--cache-dir={kubeconfig.parent / 'kubectl-cache'}",
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
async def test_auto_cache_examples_run_on_the_virtual_node(
    kube: KubeTarget, agent: AgentHandle, namespace: str
) -> None:
    config = kube.kubeconfig
    deployment_file = REPO / "examples" / "deployment-auto-cache.yaml"
    (deployment_doc,) = documents(deployment_file)
    name = deployment_doc["metadata"]["name"]
    code, out, err = await _kubectl(config, "apply", "-n", namespace, "-f", str(deployment_file))
    assert code == 0, err
    code, out, err = await _kubectl(
        config, "rollout", "status", f"deployment/{name}", "-n", namespace, "--timeout=90s"
    )
    assert code == 0, err
    assert f'deployment "{name}" successfully rolled out' in out
    code, out, err = await _kubectl(
        config, "wait", "--for=condition=Available", f"deployment/{name}", "-n", namespace
    )
    assert code == 0, err

    pod_file = REPO / "examples" / "pod-auto-cache.yaml"
    (pod_doc,) = documents(pod_file)
    code, out, err = await _kubectl(config, "apply", "-n", namespace, "-f", str(pod_file))
    assert code == 0, err
    code, out, err = await _kubectl(
        config,
        "wait",
        "--for=jsonpath={.status.phase}=Running",
        f"pod/{pod_doc['metadata']['name']}",
        "-n",
        namespace,
        "--timeout=60s",
    )
    assert code == 0, err

    api = await k8s_config.new_client_from_config(config_file=str(config))
    try:
        core: Any = k8s.CoreV1Api(api)
        selector = ",".join(
            f"{k}={v}" for k, v in deployment_doc["spec"]["selector"]["matchLabels"].items()
        )

        async def running_replicas() -> list[Any] | None:
            pods = await core.list_namespaced_pod(namespace, label_selector=selector)
            live = [p for p in pods.items if p.metadata.deletion_timestamp is None]
            running = [p for p in live if p.status.phase == "Running"]
            return running if len(running) == deployment_doc["spec"]["replicas"] else None

        replicas = await eventually(running_replicas, deadline_seconds=30, what="Running replicas")
        template_annotations = deployment_doc["spec"]["template"]["metadata"]["annotations"]
        for pod in replicas:
            assert pod.spec.node_name == agent.node_name
            assert _contains(pod.metadata.annotations, template_annotations)
        pod = await core.read_namespaced_pod(pod_doc["metadata"]["name"], namespace)
        assert pod.spec.node_name == agent.node_name
        assert pod.status.phase == "Running"
    finally:
        await api.close()
