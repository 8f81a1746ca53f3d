"""Simulated workloads: what a container's command and env make it do, and its log lines."""

from __future__ import annotations

import pytest

from simulator.engine.workloads import (
    INIT_CONTAINER_DEFAULT_SECONDS,
    LifecycleEvent,
    LogLine,
    lifecycle_log_line,
    parse_workload,
)
from simulator.errors import InvalidParameter


def run(
    *argv: str, env: dict[str, str] | None = None, init: bool = False
) -> tuple[float | None, int]:
    workload = parse_workload(name="app", image="busybox", command=argv, env=env or {}, init=init)
    return workload.exit_after_seconds, workload.exit_code


@pytest.mark.parametrize(
    ("argv", "outcome"),
    [
        ((), (None, 0)),
        (("nginx", "-g", "daemon off;"), (None, 0)),
        (("python", "app.py"), (None, 0)),
        (("true",), (0.0, 0)),
        (("/bin/false",), (0.0, 1)),
        (("sleep", "30"), (30.0, 0)),
        (("sleep", "1m", "30s"), (90.0, 0)),
        (("sleep", "0.5h"), (1800.0, 0)),
        (("sleep", "infinity"), (None, 0)),
        (("sleep", "soon"), (None, 0)),
        (("sh", "-c", "exit 3"), (0.0, 3)),
        (("/bin/sh", "-c", "sleep 5; exit 42"), (5.0, 42)),
        (("bash", "-ec", "sleep 2 && false"), (2.0, 1)),
        (("sh", "-c", "false || exit 7"), (0.0, 7)),
        (("sh", "-c", "false && exit 9"), (0.0, 1)),
        (("sh", "-c", "exit 300"), (0.0, 44)),
        (("sh", "-c", "set -e\nsleep 1\nsleep 2\n"), (3.0, 0)),
        (("sh", "-c", "while true; do sleep 1; done"), (None, 0)),
        (("sh", "-c", "sleep 1 | cat"), (None, 0)),
        (("sh", "-c", "sleep 1 & wait"), (None, 0)),
        (("sh", "-c", "echo 'unterminated"), (None, 0)),
        (("sh", "script.sh"), (None, 0)),
    ],
)
def test_commands_decide_when_and_how_a_container_exits(
    argv: tuple[str, ...], outcome: tuple[float | None, int]
) -> None:
    assert run(*argv) == outcome


def test_command_and_args_join_like_a_container_runtime() -> None:
    workload = parse_workload(
        name="job", image="busybox", command=["/bin/sh", "-c"], args=["sleep 10; exit 3"]
    )
    assert (workload.exit_after_seconds, workload.exit_code) == (10.0, 3)
    assert workload.description == "exits with code 3 after 10 s"


def test_environment_controls_win_over_the_command() -> None:
    env = {"ECI_SIM_EXIT_AFTER_SECONDS": "120", "ECI_SIM_EXIT_CODE": "5"}
    assert run("nginx", env=env) == (120.0, 5)
    assert run("sleep", "10", env={"ECI_SIM_EXIT_AFTER_SECONDS": "2.5"}) == (2.5, 0)
    assert run(env={"ECI_SIM_EXIT_CODE": "9"}) == (0.0, 9)


def test_crash_loop_exits_non_zero_every_run() -> None:
    assert run("nginx", env={"ECI_SIM_CRASH_LOOP": "true"}) == (1.0, 1)
    env = {"ECI_SIM_CRASH_LOOP": "yes", "ECI_SIM_EXIT_AFTER_SECONDS": "4", "ECI_SIM_EXIT_CODE": "2"}
    workload = parse_workload(name="app", image="busybox", env=env)
    assert (workload.exit_after_seconds, workload.exit_code) == (4.0, 2)
    assert workload.description.startswith("crash-loops")


def test_readiness_can_be_made_to_fail() -> None:
    assert parse_workload(name="a", image="nginx").ready
    for env in ({"ECI_SIM_FAIL_READINESS": "true"}, {"ECI_SIM_READY": "false"}):
        workload = parse_workload(name="a", image="nginx", env=env)
        assert not workload.ready
        assert workload.runs_until_deleted
        assert workload.description == "runs until deleted, never ready"


def test_env_given_as_pairs_and_variables_expand_in_scripts() -> None:
    workload = parse_workload(
        name="a", image="busybox", command=["sh", "-c", "exit $CODE"], env=[("CODE", "12")]
    )
    assert workload.exit_code == 12


def test_init_container_with_an_unknown_command_finishes() -> None:
    assert run("/opt/migrate", init=True) == (INIT_CONTAINER_DEFAULT_SECONDS, 0)
    assert run("sh", "-c", "exit 4", init=True) == (0.0, 4)
    assert run("/opt/migrate") == (None, 0)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ECI_SIM_EXIT_AFTER_SECONDS", "soon", "a number of seconds >= 0"),
        ("ECI_SIM_EXIT_AFTER_SECONDS", "-1", "a number of seconds >= 0"),
        ("ECI_SIM_EXIT_AFTER_SECONDS", "nan", "a number of seconds >= 0"),
        ("ECI_SIM_EXIT_CODE", "256", "an exit code from 0 to 255"),
        ("ECI_SIM_EXIT_CODE", "-1", "an exit code from 0 to 255"),
        ("ECI_SIM_CRASH_LOOP", "maybe", "true or false"),
        ("ECI_SIM_FAIL_READINESS", "sometimes", "true or false"),
    ],
)
def test_bad_simulator_variables_are_refused_naming_them(
    variable: str, value: str, expected: str
) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_workload(name="web", image="nginx", env={variable: value})
    assert caught.value.message == (
        f'container "web": environment variable {variable}="{value}" is not {expected}'
    )


def test_log_lines_cover_start_up_output_and_exit() -> None:
    workload = parse_workload(
        name="job",
        image="busybox",
        command=["sh", "-c", "echo starting; sleep 5 && echo done; exit 2"],
    )
    assert workload.log_lines == (
        LogLine(
            0.0,
            "[vk-eci simulator] job (busybox): exits with code 2 after 5 s "
            "(sh -c 'echo starting; sleep 5 && echo done; exit 2')",
        ),
        LogLine(0.0, "starting"),
        LogLine(5.0, "done"),
        LogLine(5.0, "[vk-eci simulator] job: exiting with code 2"),
    )
    server = parse_workload(name="web", image="nginx:1.7.9")
    assert server.log_lines == (
        LogLine(0.0, "[vk-eci simulator] web (nginx:1.7.9): runs until deleted (image entrypoint)"),
    )


def test_lifecycle_lines() -> None:
    assert lifecycle_log_line(event=LifecycleEvent.STARTED, container="web", image="nginx") == (
        "[vk-eci simulator] container web started from image nginx"
    )
    assert "restart count 3" in lifecycle_log_line(
        event=LifecycleEvent.RESTARTED, container="web", restart_count=3
    )
    assert "SIGTERM" in lifecycle_log_line(event=LifecycleEvent.STOPPING, container="web")
    assert lifecycle_log_line(event=LifecycleEvent.EXITED, container="web", exit_code=137) == (
        "[vk-eci simulator] container web exited with code 137"
    )
