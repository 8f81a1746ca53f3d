"""docker-compose.yml: the services Docker users get, and that every command would really run.

No Docker here: the file is read as YAML, `${VAR:-default}` is resolved to its default as
Compose would with the variable unset, and each service's command is handed to the real
`vk-eci` argument parser, so a renamed or missing flag fails this test instead of a
container at start-up.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from vkeci.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
COMPOSE = REPO / "docker-compose.yml"
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?::-(?P<default>[^}]*))?\}")
USER_MADE = {"vk-eci.kubeconfig"}
"""Files the walkthrough has the user create (`kind get kubeconfig --internal > ...`)."""


def interpolate(value: str) -> str:
    def default(match: re.Match[str]) -> str:
        assert match["default"] is not None, f"{match[0]}: give a default"
        return match["default"]

    return VARIABLE.sub(default, value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def command_of(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    parts = shlex.split(command) if isinstance(command, str) else list(command)
    return [interpolate(str(part)) for part in parts]


def test_services_and_the_postgres_profile(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"simulator", "agent", "postgres"}
    assert services["postgres"]["profiles"] == ["postgres"]
    assert "profiles" not in services["simulator"]
    assert "profiles" not in services["agent"]
    assert services["simulator"]["depends_on"]["postgres"]["required"] is False
    assert services["agent"]["depends_on"]["simulator"]["condition"] == "service_healthy"


def test_one_image_built_from_the_dockerfile(compose: dict[str, Any]) -> None:
    services = compose["services"]
    build = services["simulator"]["build"]
    context = REPO / (build if isinstance(build, str) else build.get("context", "."))
    assert (context / "Dockerfile").is_file()
    assert 'ENTRYPOINT ["vk-eci"]' in (context / "Dockerfile").read_text()
    assert services["agent"]["image"] == services["simulator"]["image"]


@pytest.mark.parametrize("name", ["simulator", "agent"])
def test_commands_are_real_subcommands_and_flags(compose: dict[str, Any], name: str) -> None:
    argv = command_of(compose["services"][name])
    args = build_parser().parse_args(argv)  # exits (fails the test) on an unknown flag
    assert args.command == name


def test_simulator_listens_where_the_agent_and_the_healthcheck_look(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    simulator = build_parser().parse_args(command_of(services["simulator"]))
    agent = build_parser().parse_args(command_of(services["agent"]))
    port = simulator.listen.rsplit(":", 1)[1]
    assert agent.eci_endpoint == f"simulator:{port}"
    assert simulator.database_url.startswith("sqlite+aiosqlite:////var/lib/vk-eci/data/")
    assert any(v.endswith(":/var/lib/vk-eci/data") for v in services["simulator"]["volumes"])
    health = " ".join(services["simulator"]["healthcheck"]["test"])
    assert f"'127.0.0.1', {port}" in health
    assert f"127.0.0.1:{port}:{port}" in services["simulator"]["ports"]
    assert services["postgres"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]


def test_agent_gets_a_kubeconfig_and_the_kind_network(compose: dict[str, Any]) -> None:
    agent = compose["services"]["agent"]
    args = build_parser().parse_args(command_of(agent))
    mounts = {interpolate(v).split(":")[1]: interpolate(v).split(":")[0] for v in agent["volumes"]}
    assert args.kubeconfig in mounts
    assert "kind" in agent["networks"]
    assert compose["networks"]["kind"]["external"] is True


def test_every_referenced_file_exists(compose: dict[str, Any]) -> None:
    referenced: list[str] = []
    for service in compose["services"].values():
        referenced += service.get("env_file", [])
        referenced += [
            interpolate(v).split(":")[0]
            for v in service.get("volumes", [])
            if interpolate(v).startswith((".", "/"))
        ]
    assert referenced
    for path in referenced:
        if Path(path).name in USER_MADE:
            continue
        assert (REPO / path).exists(), f"docker-compose.yml refers to missing {path}"


def test_credentials_env_file_holds_both_access_key_variables() -> None:
    text = (REPO / "deploy" / "eci-credentials.env").read_text()
    keys = {line.split("=", 1)[0] for line in text.splitlines() if "=" in line}
    assert keys == {"ECI_ACCESS_KEY_ID", "ECI_ACCESS_KEY_SECRET"}


def test_simulator_starts_with_the_compose_settings(compose: dict[str, Any]) -> None:
    from vkeci.commands.simulator import build_settings

    text = (REPO / "deploy" / "eci-credentials.env").read_text()
    env = dict(
        line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#")
    )
    settings = build_settings(
        build_parser().parse_args(command_of(compose["services"]["simulator"])), env
    )
    assert settings.listen.host == "0.0.0.0"
    assert [c.access_key_id for c in settings.security.credentials] == [env["ECI_ACCESS_KEY_ID"]]
