"""The shared log redaction: every shape a secret takes in this project's logs comes out `***`.

`vkeci.redaction.redact_event` is the last processor of every `vk-eci`
process's logging; these cases are the shapes the agent, the embedded API
server and the simulator actually log (structured fields, Kubernetes objects,
ECI flat parameters, HTTP headers, response bodies and SQL parameters quoted
inside text), each with a value that must vanish and one that must stay. It is the
one redaction of every process (the agent's former `vkprovider.redaction` was merged in:
its cases are here too), it takes linear time on a 1 MB line, it never raises, and
it also covers the ECI SDK's own logger.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import structlog

from vkeci.logs import configure_logging
from vkeci.redaction import redact_event, redact_text, redact_value

SECRET = "s3cr3t-value-81f2"
KEPT = "plain-value-0c4d"


def redacted(**fields: Any) -> str:
    return repr(redact_event(None, "info", {"event": "probe", **fields}))


@pytest.mark.parametrize(
    "fields",
    [
        {"password": SECRET, "mode": KEPT},
        {"headers": {"Authorization": f"ACS3-HMAC-SHA256 Credential=LTAI,Signature={SECRET}"}},
        {"headers": {"authorization": f"Bearer {SECRET}", "accept": KEPT}},
        {"object": {"kind": "Secret", "data": {"tls.crt": SECRET}, "metadata": {"name": KEPT}}},
        {"object": {"kind": "Secret", "stringData": {"x": SECRET}, "type": KEPT}},
        {"env": [{"name": "DB_PASSWORD", "value": SECRET}, {"name": "MODE", "value": KEPT}]},
        {"env": [{"Key": "API_TOKEN", "Value": SECRET}, {"Key": "MODE", "Value": KEPT}]},
        {
            "params": {
                "Container.1.EnvironmentVar.1.Key": "AWS_SECRET_ACCESS_KEY",
                "Container.1.EnvironmentVar.1.Value": SECRET,
                "Container.1.EnvironmentVar.2.Key": "MODE",
                "Container.1.EnvironmentVar.2.Value": KEPT,
            }
        },
        {"params": {"ImageRegistryCredential.1.Password": SECRET, "Image": KEPT}},
        {"spec": {"ConfigFileVolume": {"ConfigFileToPath": [{"Content": SECRET, "Path": KEPT}]}}},
        {"auths": {"registry.example.com": {"auth": SECRET}}, "note": KEPT},
        {"access_key_secret": SECRET, "access_key_id": KEPT},
        {"env": [{"value": SECRET, "name": "DB_PASSWORD"}, {"value": KEPT, "name": "MODE"}]},
        {"object": {"kind": "Secret", "string_data": {"x": SECRET}, "type": KEPT}},
        {"object": {"type": "kubernetes.io/tls", "data": {"tls.key": SECRET}, "x": KEPT}},
        {"list": {"kind": "SecretList", "items": [{"type": "Opaque", "data": {"a": SECRET}}]}},
        {"config": {"api_key": SECRET, "privateKey": SECRET, "AccessKeyId": KEPT}},
        {"volume": {"type": "ConfigFileVolume", "files": [["token", SECRET, None]], "n": KEPT}},
        {"credentials": {"user": [SECRET], "nested": {"k": SECRET}}, "mode": KEPT},
        {"raw": f"password={SECRET}".encode(), "mode": KEPT},
        {"headers": {"Authorization": f"Basic {SECRET}"}, "x": f"bearer {SECRET} {KEPT}"},
    ],
)
def test_structured_fields(fields: dict[str, Any]) -> None:
    text = redacted(**fields)
    assert SECRET not in text
    assert "***" in text
    if KEPT in repr(fields):
        assert KEPT in text


@pytest.mark.parametrize(
    "message",
    [
        "response body: "
        + json.dumps({"kind": "Secret", "data": {".dockerconfigjson": SECRET}, "x": KEPT}),
        json.dumps({"auths": {"r.io": {"username": KEPT, "password": SECRET, "auth": SECRET}}}),
        json.dumps([{"name": "GITHUB_TOKEN", "value": SECRET}, {"name": "MODE", "value": KEPT}]),
        f"Canonical request: 'POST\\n/\\nContainer.1.EnvironmentVar.1.Key=DB_PASS"
        f"&Container.1.EnvironmentVar.1.Value={SECRET}&Container.1.Image={KEPT}'",
        f"GET /?ImageRegistryCredential.1.Password={SECRET}&RegionId={KEPT} HTTP/1.1",
        f"Volume.1.ConfigFileVolume.ConfigFileToPath.1.Content={SECRET}&Volume.1.Name={KEPT}",
        f"Authorization: Bearer {SECRET}",
        "executing ('INSERT ...', ('"
        + json.dumps({"env": [["DB_PASSWORD", SECRET], ["MODE", KEPT]]})
        + "',))",
        repr(json.dumps({"x": {"name": "API_KEY", "value": SECRET}, "y": KEPT})),
        "executing ('INSERT ...', ('"
        + json.dumps(
            {"volumes": [{"type": "ConfigFileVolume", "files": [["token", SECRET, None]]}]}
            | {"name": KEPT}
        )
        + "',))",
        json.dumps({"y": KEPT, "x": [{"value": SECRET, "name": "DB_PASSWORD"}]}, sort_keys=True),
        "response body: "
        + repr(
            json.dumps(
                {"kind": "SecretList", "items": [{"data": {"p": SECRET}, "type": KEPT}]}
            ).encode()
        ),
        "response body: "
        + repr(json.dumps({"kind": "Secret", "string_data": {"p": SECRET}, "t": KEPT}).encode()),
        f"GET /?AccessKeySecret={SECRET}&AccessKeyId={KEPT}",
        f"POST /?Container.1.EnvironmentVar.1.Value={SECRET}&Container.1.EnvironmentVar.1.Key="
        f"API_KEY&Container.1.EnvironmentVar.2.Value={KEPT}&Container.1.EnvironmentVar.2.Key=MODE",
        f"headers: {{'Authorization': 'ACS3-HMAC-SHA256 Credential=LTAI,Signature={SECRET}'}}"
        f" {KEPT}",
        f'{{"apiKey": "{SECRET}", "private_key": "{SECRET}", "keep": "{KEPT}"}} trailing',
        f"bearer {SECRET} {KEPT}",
    ],
)
def test_text(message: str) -> None:
    text = redacted(event=message)
    assert SECRET not in text
    if KEPT in message:
        assert KEPT in text


@pytest.mark.parametrize("json_output", [True, False])
def test_tracebacks_are_rendered_and_redacted(
    json_output: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    try:
        configure_logging(level="debug", json_output=json_output)
        logger = logging.getLogger("tests.redaction")
        try:
            raise RuntimeError(f"connect failed: password={SECRET}")
        except RuntimeError:
            logger.exception("stdlib failure")
        err = capsys.readouterr().err
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**config)
    assert "Traceback (most recent call last)" in err
    assert "RuntimeError: connect failed: password=***" in err
    assert SECRET not in err


def test_redaction_masks_what_a_log_line_may_carry() -> None:
    body = json.dumps(
        {
            "kind": "Secret",
            "data": {".dockerconfigjson": "eyJhdXRocyI6e30="},
            "type": "kubernetes.io/dockerconfigjson",
        }
    )
    assert "eyJhdXRocyI6e30=" not in redact_text(f"response body: {body.encode()!r}")
    query = (
        "POST /?Container.1.EnvironmentVar.1.Key=DB_PASSWORD&Container.1.EnvironmentVar.1.Value=p1"
        "&Container.1.EnvironmentVar.2.Key=LEVEL&Container.1.EnvironmentVar.2.Value=debug"
        "&ImageRegistryCredential.1.Password=p2&ImageRegistryCredential.1.UserName=me"
    )
    masked = redact_text(query)
    assert "p1" not in masked
    assert "p2" not in masked
    assert "Value=debug" in masked  # an ordinary env value stays readable
    assert "UserName=me" in masked
    assert "abc.def" not in redact_text("Authorization: Bearer abc.def")
    assert "sig" not in redact_text("authorization : ACS3-HMAC-SHA256 Credential=x,Signature=sig")
    env = redact_value([{"name": "API_TOKEN", "value": "t1"}, {"name": "MODE", "value": "fast"}])
    assert env == [{"name": "API_TOKEN", "value": "***"}, {"name": "MODE", "value": "fast"}]
    secret = redact_value({"kind": "Secret", "stringData": {"password": "x", "user": "y"}})
    assert secret == {"kind": "Secret", "stringData": {"password": "***", "user": "***"}}
    refs = {"imagePullSecrets": [{"name": "registry"}]}
    assert redact_value(refs) == refs  # the names of Secrets are not secret

    # the agent's rules kept: a Secret's keys stay readable, only their values go
    tls = redact_value({"type": "kubernetes.io/tls", "data": {"tls.crt": "c", "tls.key": "k"}})
    assert tls == {"type": "kubernetes.io/tls", "data": {"tls.crt": "***", "tls.key": "***"}}
    config = redact_value({"auths": {"r.io": {"username": "me", "password": "p", "auth": "a"}}})
    assert config == {"auths": {"r.io": {"username": "me", "password": "***", "auth": "***"}}}
    refs_ref = {"valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}
    assert redact_value(refs_ref) == refs_ref
    assert redact_value(b"password=p1") == "password=***"


def test_a_response_body_is_masked_structurally() -> None:
    body = json.dumps(
        {
            "kind": "Secret",
            "metadata": {"name": "registry", "namespace": "ns"},
            "data": {".dockerconfigjson": base64.b64encode(SECRET.encode()).decode()},
            "type": "kubernetes.io/dockerconfigjson",
        }
    )
    text = redact_text(f"response body: {body.encode()!r}")
    assert text == (
        'response body: {"kind":"Secret","metadata":{"name":"registry","namespace":"ns"},'
        '"data":{".dockerconfigjson":"***"},"type":"kubernetes.io/dockerconfigjson"}'
    )


MEGABYTE = 1_000_000


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "filler",
    [
        "a" * MEGABYTE,
        "password" * (MEGABYTE // 8),
        "\\" * MEGABYTE,
        '"' * MEGABYTE,
        "a:" * (MEGABYTE // 2),
        'x:"' * (MEGABYTE // 3),
        '"token": "' * (MEGABYTE // 10),
        '"name": "TOKEN", ' * (MEGABYTE // 17),
        '["TOKEN", ' * (MEGABYTE // 10),
        '"kind":"Secret","data":{' * (MEGABYTE // 24),
        "EnvironmentVar." * (MEGABYTE // 15),
        "response body: b'" + '{"a":' * (MEGABYTE // 5),
        "Bearer " * (MEGABYTE // 7),
        '"files": [' + '["a", "b"],' * (MEGABYTE // 11),
    ],
    ids=lambda filler: repr(filler[:12]),
)
def test_a_one_megabyte_line_is_redacted_in_linear_time(filler: str) -> None:
    """Each filler is a shape on which a backtracking pattern would take hours; the secret after
    it still goes."""
    text = redacted(event=f"{filler} &ImageRegistryCredential.1.Password={SECRET}&Image={KEPT}")
    assert SECRET not in text
    assert KEPT in text


class _Unreadable(Mapping[str, str]):
    def __getitem__(self, key: str) -> str:
        raise RuntimeError("unreadable")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("unreadable")

    def __len__(self) -> int:
        return 1


def test_redaction_never_raises() -> None:
    deep: list[Any] = [SECRET]
    for _ in range(100_000):
        deep = [deep]
    event = redact_event(
        None,
        "debug",
        {
            "event": "response body: " + "[" * 100_000 + "{}" + "]" * 100_000,
            "odd": _Unreadable(),
            "deep": deep,
            "mode": KEPT,
        },
    )
    assert event["odd"] == "***"
    node, levels = event["deep"], 0
    while isinstance(node, list):
        (node,), levels = node, levels + 1
    assert (node, levels) == ("***", 31)  # masked whole below the depth limit, not walked
    assert event["mode"] == KEPT
    assert event["event"].startswith("response body: [[[")


SDK_PROBE = """
import logging, sys
from vkeci.logs import configure_logging
configure_logging(level=sys.argv[1], json_output=True)
import darabonba.core  # imported after configuring, as the benchmarks' stack does
darabonba.core.logger.debug("> GET /?ImageRegistryCredential.1.Password=%s&Image=%s", *sys.argv[2:])
"""


@pytest.mark.parametrize("level", ["debug", "info"])
def test_the_sdk_logger_goes_through_redaction(level: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SDK_PROBE, level, SECRET, KEPT],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert SECRET not in done.stderr + done.stdout
    if level == "info":
        assert done.stderr == ""
        return
    (line,) = done.stderr.splitlines()  # once, through structlog; the SDK's handler is silent
    entry = json.loads(line)
    assert entry["logger"] == "darabonba-core"
    assert entry["event"] == f"> GET /?ImageRegistryCredential.1.Password=***&Image={KEPT}"
