"""ECI container group -> Pod status: phases, conditions, container states, real times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from vkprovider.pods.status import failed_status, phase_seconds, pod_status

NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
POD: dict[str, Any] = {
    "metadata": {"name": "web", "namespace": "ns", "uid": "u1"},
    "spec": {"containers": [{"name": "app", "image": "nginx"}]},
    "status": {"phase": "Pending"},
}


def _group(status: str, state: dict[str, Any], **extra: Any) -> Any:
    container = {"Name": "app", "Image": "nginx", "Ready": state.get("State") == "Running"}
    container["CurrentState"] = state
    container.update(extra.pop("container", {}))
    return {
        "ContainerGroupId": "eci-1",
        "Status": status,
        "IntranetIp": "172.16.0.9",
        "Containers": [container],
        **extra,
    }


def _conditions(status: dict[str, Any]) -> dict[str, str]:
    return {c["type"]: c["status"] for c in status["conditions"]}


def test_pending_while_pulling() -> None:
    group = _group("Pending", {"State": "Waiting", "Reason": "ContainerCreating"})
    status = pod_status(group, POD, now=NOW)
    assert status["phase"] == "Pending"
    assert _conditions(status) == {
        "PodScheduled": "True",
        "Initialized": "True",
        "ContainersReady": "False",
        "Ready": "False",
    }
    assert status["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}


def test_running_and_ready() -> None:
    group = _group("Running", {"State": "Running", "StartTime": "2030-01-01T11:00:00Z"})
    status = pod_status(group, POD, now=NOW)
    assert status["phase"] == "Running"
    assert set(_conditions(status).values()) == {"True"}
    (app,) = status["containerStatuses"]
    assert app["ready"]
    assert app["started"]
    # Kubernetes gets real wall-clock times, not ECI's (possibly simulated) ones.
    assert app["state"]["running"]["startedAt"] == "2030-01-01T12:00:00Z"
    assert app["containerID"] == "eci://eci-1/app"
    assert status["podIP"] == "172.16.0.9"


def test_times_are_kept_while_nothing_changes() -> None:
    group = _group("Running", {"State": "Running"})
    first = pod_status(group, POD, now=NOW)
    pod = dict(POD, status=first)
    later = pod_status(group, pod, now=NOW + timedelta(minutes=5))
    assert later == first


def test_scheduling_failure_and_exit_codes() -> None:
    failed = pod_status(_group("ScheduleFailed", {"State": "Waiting"}), POD, now=NOW)
    assert failed["phase"] == "Failed"
    assert _conditions(failed)["PodScheduled"] == "False"
    crashed = pod_status(
        _group("Failed", {"State": "Terminated", "ExitCode": 3, "Reason": "Error"}), POD, now=NOW
    )
    assert crashed["phase"] == "Failed"
    assert crashed["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 3
    assert "exited with code 3" in crashed["message"]


def test_crash_loop_keeps_running_phase_with_restart_count() -> None:
    group = _group(
        "Running",
        {"State": "Waiting", "Reason": "CrashLoopBackOff"},
        container={
            "RestartCount": 4,
            "PreviousState": {"State": "Terminated", "ExitCode": 1, "Reason": "Error"},
        },
    )
    status = pod_status(group, POD, now=NOW)
    (app,) = status["containerStatuses"]
    assert status["phase"] == "Running"
    assert app["restartCount"] == 4
    assert app["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert app["lastState"]["terminated"]["exitCode"] == 1


def test_failed_status_names_the_reason() -> None:
    status = failed_status(reason="ProviderFailed", message="imc-1 is Creating", now=NOW, pod=POD)
    assert status["phase"] == "Failed"
    assert status["reason"] == "ProviderFailed"
    assert status["containerStatuses"][0]["state"]["waiting"]["message"] == "imc-1 is Creating"


def test_phase_seconds_from_eci_timestamps() -> None:
    group = _group(
        "Running",
        {"State": "Running", "StartTime": "2030-01-01T00:01:00Z"},
        CreationTime="2030-01-01T00:00:00Z",
        Events=[
            {"Reason": "Pulling", "FirstTimestamp": "2030-01-01T00:00:02Z"},
            {
                "Reason": "Pulled",
                "LastTimestamp": "2030-01-01T00:00:07Z",
                "Message": 'Successfully pulled image "x" in 5.000s from image cache imc-abc',
            },
        ],
    )
    assert phase_seconds(group) == {
        "scheduling": 2.0,
        "imagePreparation": 5.0,
        "start": 53.0,
        "total": 60.0,
        "imageCacheId": "imc-abc",
    }
