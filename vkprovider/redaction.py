"""The agent's log redaction: no secret it handles reaches a log line, at any level.

The agent reads Secrets (image pull secrets, the ImageCache controller's
`imagePullSecrets`, env `secretKeyRef`s), holds an AccessKey and sends
registry passwords and env values to ECI. At `--log-level debug` its
libraries log what they carry: kubernetes_asyncio logs every preloaded
response body (`response body: b'{"kind":"Secret","data":{...}}'`), and the
ECI SDK's synchronous calls, with `DEBUG=sdk`, log request lines with every
query parameter (`Container.1.EnvironmentVar.1.Value=...`,
`ImageRegistryCredential.1.Password=...`) and headers (`Authorization`);
the agent's own lines may carry exceptions and ECI messages quoting them.

`redact_event` is a structlog processor for every event, from structlog
and from stdlib loggers alike (it runs in the shared chain, after the
field-name rule of `vkeci.logs`): it walks the event's values and masks
  * values under secret-looking keys (password, secret, token, auth, ...);
  * a Secret's `data` and `stringData`, and a docker config's `auths`;
  * env entries (`{"name": ..., "value": ...}`) whose name looks secret;
  * in free text (the message itself, reprs, JSON bodies, query strings) the
    same things, plus `Authorization:` headers and bearer tokens.
It masks rather than drops, so a log line still says that a value was there.
`route_sdk_loggers` sends the ECI SDK's logger, which prints on a handler of
its own, through the same chain, so its lines are redacted too. This module
never logs and never raises: a value it cannot read passes unchanged.
"""

from __future__ import annotations

import ast
import functools
import json
import logging
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

MASK = "***"

SECRET_NAME = re.compile(
    r"pass(word|wd)?|pwd|secret|token|credential|auth|api[-_]?key|access[-_]?key|private[-_]?key"
    r"|\.dockerconfigjson|\.dockercfg|signature",
    re.IGNORECASE,
)
"""A key, env var or parameter name whose value is a secret."""

SECRET_MAPS = frozenset({"data", "stringData", "string_data", "auths"})
"""Keys whose every value is secret when the object around them is a Secret or docker config."""

SDK_LOGGERS = ("darabonba-core",)
"""Loggers of the ECI SDK that print on a handler of their own (see `route_sdk_loggers`)."""

_Q = "[\"']"
_STRING = r"(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
_SECRET_MAP_TEXT = re.compile(
    rf"({_Q}(?:data|stringData|string_data|auths){_Q}\s*:\s*)\{{[^{{}}]*(?:\{{[^{{}}]*\}}[^{{}}]*)*\}}"
)
"""`"data": {...}` (one level of nesting, as docker configs' `auths` have) in JSON or a repr."""
_SECRET_KEY_TEXT = re.compile(
    rf"({_Q}[^\"'\s:]*(?:{SECRET_NAME.pattern})[^\"'\s:]*{_Q}\s*:\s*){_STRING}", re.IGNORECASE
)
_ENV_NAME_FIRST = re.compile(
    rf"({_Q}name{_Q}\s*:\s*{_Q}[^\"']*(?:{SECRET_NAME.pattern})[^\"']*{_Q}\s*,\s*"
    rf"{_Q}value{_Q}\s*:\s*){_STRING}",
    re.IGNORECASE,
)
_ENV_VALUE_FIRST = re.compile(
    rf"({_Q}value{_Q}\s*:\s*){_STRING}(\s*,\s*{_Q}name{_Q}\s*:\s*{_Q}[^\"']*"
    rf"(?:{SECRET_NAME.pattern})[^\"']*{_Q})",
    re.IGNORECASE,
)
_QUERY_SECRET = re.compile(
    rf"((?:^|[?&\s])(?:\w+\.)*\w*(?:{SECRET_NAME.pattern})\w*=)[^&\s'\"]*", re.IGNORECASE
)
"""`Name=value` whose last dotted segment looks secret (`ImageRegistryCredential.1.Password`)."""
_QUERY_ENV_KEY = re.compile(r"([\w.]*EnvironmentVar\.\d+)\.Key=([^&\s'\"]*)")
_AUTHORIZATION = re.compile(r"(authorization[\"']?\s*[:=]\s*[\"']?)[^\"'\n]+", re.IGNORECASE)
_BEARER = re.compile(r"(bearer\s+)[A-Za-z0-9\-._~+/=]+", re.IGNORECASE)
_STRUCTURE = frozenset("\"'=:{")
"""A text can only carry a secret in a form we recognise (a quoted key, `name=value`, a
header, a JSON body) if it has one of these; most log values have none and are not scanned."""

_PLAIN_FIELDS = frozenset({"timestamp", "level", "logger", "logger_name"})
"""Fields structlog's own processors add: never a secret, never scanned."""


@functools.lru_cache(maxsize=4096)
def _secret_key(name: str) -> bool:
    return SECRET_NAME.search(name) is not None


def _secret_name(name: object) -> bool:
    return isinstance(name, str) and _secret_key(name)


def _redact_embedded_json(text: str) -> str | None:
    """`text` with the JSON document it ends with (plain, or as a bytes repr, the way
    kubernetes_asyncio logs response bodies) redacted structurally; None if there is none."""
    start = text.find("{")
    if start < 0 or not text.rstrip().endswith(("}", "}'", '}"')):
        return None
    head, body = text[:start], text[start:]
    quoted = head.endswith(("b'", 'b"', "'", '"'))
    try:
        if quoted:
            literal_start = head.rfind("b'") if head.endswith("b'") else len(head) - 1
            raw = ast.literal_eval(text[literal_start:].rstrip())
            body = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            head = text[:literal_start]
        document = json.loads(body)
    except (ValueError, SyntaxError):
        return None
    return head + json.dumps(redact_value(document), separators=(",", ":"))


def redact_text(text: str) -> str:
    """`text` with every secret it carries masked (see the module doc)."""
    if _STRUCTURE.isdisjoint(text) and "bearer" not in text.lower():
        return text
    structured = _redact_embedded_json(text)
    if structured is not None:
        text = structured
    text = _SECRET_MAP_TEXT.sub(rf'\1"{MASK}"', text)
    text = _ENV_NAME_FIRST.sub(rf'\1"{MASK}"', text)
    text = _ENV_VALUE_FIRST.sub(rf'\1"{MASK}"\2', text)
    text = _SECRET_KEY_TEXT.sub(rf'\1"{MASK}"', text)
    for prefix, name in _QUERY_ENV_KEY.findall(text):
        if _secret_name(name):
            text = re.sub(rf"({re.escape(prefix)}\.Value=)[^&\s'\"]*", rf"\1{MASK}", text)
    text = _QUERY_SECRET.sub(rf"\1{MASK}", text)
    text = _AUTHORIZATION.sub(rf"\1{MASK}", text)
    return _BEARER.sub(rf"\1{MASK}", text)


def _is_secret_like(value: Mapping[str, Any]) -> bool:
    kind = value.get("kind")
    kind_type = value.get("type")
    return (
        kind == "Secret"
        or (isinstance(kind_type, str) and kind_type.startswith("kubernetes.io/"))
        or "auths" in value
    )


def redact_value(value: Any, *, secret_context: bool = False) -> Any:
    """A copy of `value` (dicts, lists, strings, bytes) with its secrets masked."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bytes | bytearray):
        return redact_text(bytes(value).decode("utf-8", "replace"))
    if isinstance(value, Mapping):
        secretive = secret_context or _is_secret_like(value)
        env_secret = _secret_name(value.get("name")) and "value" in value
        masked: dict[Any, Any] = {}
        for key, item in value.items():
            scalar = not isinstance(item, Mapping | list | tuple)
            if scalar and (_secret_name(key) or (env_secret and key == "value")):
                masked[key] = MASK
            elif key in SECRET_MAPS and isinstance(item, Mapping) and (secretive or key == "auths"):
                masked[key] = {k: MASK for k in item}
            else:
                masked[key] = redact_value(item)
        return masked
    if isinstance(value, list | tuple):
        return type(value)(redact_value(item) for item in value)
    return value


def redact_event(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: mask every secret in every value of the event (module doc)."""
    del logger, method_name
    for key, value in list(event_dict.items()):
        if key.startswith("_") or key in _PLAIN_FIELDS:
            continue  # structlog's own bookkeeping (`_record`, `_from_structlog`) and fields
        try:
            event_dict[key] = MASK if key != "event" and _secret_name(key) else redact_value(value)
        except Exception:  # redaction must never break logging
            event_dict[key] = MASK
    return event_dict


def route_sdk_loggers() -> None:
    """Send the ECI SDK's own loggers through the root handler (and so through redaction)."""
    for name in SDK_LOGGERS:
        sdk_logger = logging.getLogger(name)
        sdk_logger.handlers.clear()
        sdk_logger.setLevel(logging.NOTSET)
        sdk_logger.propagate = True
