"""The shared log redaction: every shape a secret takes in this project's logs comes out `***`.

`vkeci.redaction.redact_event` is the last processor of every `vk-eci`
process's logging; these cases are the shapes the agent, the embedded API
server and the simulator actually log (structured fields, Kubernetes objects,
ECI flat parameters, HTTP headers, response bodies and SQL parameters quoted
inside text), each with a value that must vanish and one that must stay.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import structlog

from vkeci.logs import configure_logging
from vkeci.redaction import redact_event

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
