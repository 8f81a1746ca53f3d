"""Jobs run to completion or fail past their backoffLimit; CronJobs create Jobs.

The containers exit by the simulator's rules (`simulator/workloads.py`): with
`ECI_SIM_EXIT_AFTER_SECONDS`/`ECI_SIM_EXIT_CODE` they stop after that many simulated
seconds with that code.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio import client

from tests.fixtures.kube import KubeTarget
from tests.localkube.conftest import call
from tests.localkube.controllers.manifests import condition, get, job, job_spec, kubectl, write
from tests.polling import eventually
from tests.vkprovider.conftest import AgentHandle

EXIT_OK = {"ECI_SIM_EXIT_AFTER_SECONDS": "2", "ECI_SIM_EXIT_CODE": "0"}
EXIT_FAILING = {"ECI_SIM_EXIT_CODE": "1"}


async def _finished(api: client.ApiClient, path: str, kind: str) -> dict[str, Any] | None:
    found = await get(api, path)
    state = condition(found, kind)
    return found if state is not None and state["status"] == "True" else None


async def test_job_runs_its_completions_and_completes(
    agent: AgentHandle, namespace: str, kube_api: client.ApiClient
) -> None:
    jobs = f"/apis/batch/v1/namespaces/{namespace}/jobs"
    body = job("twice", namespace, env=EXIT_OK, completions=2, parallelism=2)
    created = await call(kube_api, "POST", jobs, body=body)
    assert created.status == 201, created.body
    assert created.body["spec"]["backoffLimit"] == 6
    labels = created.body["spec"]["template"]["metadata"]["labels"]
    assert labels["batch.kubernetes.io/job-name"] == "twice"
    uid = created.body["metadata"]["uid"]
    assert labels["batch.kubernetes.io/controller-uid"] == uid
    assert created.body["spec"]["selector"] == {
        "matchLabels": {"batch.kubernetes.io/controller-uid": uid}
    }

    async def complete() -> dict[str, Any] | None:
        return await _finished(kube_api, f"{jobs}/twice", "Complete")

    done = await eventually(complete, deadline_seconds=60, what="the Job's Complete condition")
    assert done["status"]["succeeded"] == 2
    assert "failed" not in done["status"]
    assert done["status"]["completionTime"] >= done["status"]["startTime"]
    pods = await get(
        kube_api,
        f"/api/v1/namespaces/{namespace}/pods?labelSelector=batch.kubernetes.io%2Fjob-name%3Dtwice",
    )
    assert [p["status"]["phase"] for p in pods["items"]] == ["Succeeded", "Succeeded"]
    assert {p["spec"]["nodeName"] for p in pods["items"]} == {agent.node_name}
    owners = {p["metadata"]["ownerReferences"][0]["uid"] for p in pods["items"]}
    assert owners == {uid}


async def test_job_fails_past_its_backoff_limit(
    agent: AgentHandle, namespace: str, kube_api: client.ApiClient
) -> None:
    jobs = f"/apis/batch/v1/namespaces/{namespace}/jobs"
    body = job("doomed", namespace, env=EXIT_FAILING, backoff_limit=1)
    assert (await call(kube_api, "POST", jobs, body=body)).status == 201

    async def failed() -> dict[str, Any] | None:
        return await _finished(kube_api, f"{jobs}/doomed", "Failed")

    # The replacement of the first failed Pod waits kube's 10 s back-off.
    done = await eventually(failed, deadline_seconds=60, what="the Job's Failed condition")
    assert condition(done, "Failed") is not None
    assert condition(done, "Failed")["reason"] == "BackoffLimitExceeded"  # type: ignore[index]
    assert done["status"]["failed"] == 2
    assert not done["status"].get("active")
    assert condition(done, "Complete") is None


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
@pytest.mark.timeout(150)
async def test_cronjob_creates_a_job_at_the_next_minute(
    kube: KubeTarget,
    agent: AgentHandle,
    namespace: str,
    kube_api: client.ApiClient,
    tmp_path: Path,
) -> None:
    manifest = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "minutely", "namespace": namespace},
        "spec": {
            "schedule": "* * * * *",
            "jobTemplate": {"spec": job_spec(env=EXIT_OK)},
        },
    }
    code, out, err = await kubectl(
        kube.kubeconfig, "apply", "-f", str(write(tmp_path / "cron.yaml", manifest))
    )
    assert code == 0, err
    cronjob = await get(kube_api, f"/apis/batch/v1/namespaces/{namespace}/cronjobs/minutely")
    assert cronjob["spec"]["concurrencyPolicy"] == "Allow"
    assert cronjob["spec"]["successfulJobsHistoryLimit"] == 3

    async def a_job() -> list[Any] | None:
        found = await get(kube_api, f"/apis/batch/v1/namespaces/{namespace}/jobs")
        return list(found["items"]) or None

    # The schedule fires at the next full minute after the CronJob was created.
    (first, *_) = await eventually(a_job, deadline_seconds=75, what="the CronJob's first Job")
    assert re.fullmatch(r"minutely-\d{8}", first["metadata"]["name"])
    owner = first["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["uid"]) == (
        "CronJob",
        "minutely",
        cronjob["metadata"]["uid"],
    )
    minutes = int(first["metadata"]["name"].rsplit("-", 1)[1])
    scheduled = first["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"]
    assert scheduled.endswith(":00Z")
    assert minutes * 60 == int(datetime.fromisoformat(scheduled).timestamp())

    async def scheduled_in_status() -> dict[str, Any] | None:
        found = await get(kube_api, f"/apis/batch/v1/namespaces/{namespace}/cronjobs/minutely")
        return found if found.get("status", {}).get("lastScheduleTime") == scheduled else None

    await eventually(scheduled_in_status, deadline_seconds=10, what="lastScheduleTime")
    code, out, err = await kubectl(kube.kubeconfig, "get", "cronjob", "minutely", "-n", namespace)
    assert code == 0, err
    assert out.split("\n")[0].split() == [
        "NAME",
        "SCHEDULE",
        "TIMEZONE",
        "SUSPEND",
        "ACTIVE",
        "LAST",
        "SCHEDULE",
        "AGE",
    ]
