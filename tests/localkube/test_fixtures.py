"""The shared kube fixtures: the leftover-task guard fails a leaky test, passes a clean one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kubernetes_asyncio import client

from tests.fixtures.kube import KubeTarget

PROJECT = Path(__file__).resolve().parents[2]

LEAKY = """
import asyncio


async def test_leaks_a_task() -> None:
    asyncio.get_running_loop().create_task(asyncio.sleep(3600))


async def test_cleans_up() -> None:
    task = asyncio.get_running_loop().create_task(asyncio.sleep(3600))
    task.cancel()
"""


def test_leftover_task_guard_fails_only_the_leaky_test(tmp_path: Path) -> None:
    test_file = tmp_path / "test_leaky.py"
    test_file.write_text(LEAKY)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.fixtures.kube",
            "-o",
            "asyncio_mode=auto",
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            "--rootdir",
            str(tmp_path),
            str(test_file),
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if line.startswith("ERROR ")]
    assert len(errors) == 1, result.stdout + result.stderr
    # pytest may append " - <reason>" to the summary line, depending on the terminal width.
    assert "test_leaky.py::test_leaks_a_task" in errors[0]
    assert "passed" in result.stdout.splitlines()[-1]  # test_cleans_up still passes
    assert "test left 1 asyncio task(s) running" in result.stdout


async def test_kube_fixture_serves_its_kubeconfig(
    kube: KubeTarget, kube_api: client.ApiClient
) -> None:
    assert kube.kubeconfig.exists()
    namespaces = await client.CoreV1Api(kube_api).list_namespace()
    assert "default" in {ns.metadata.name for ns in namespaces.items}
