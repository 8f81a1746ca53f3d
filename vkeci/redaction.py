"""The structlog processor that keeps secrets out of every log line of every `vk-eci` process.

`vkeci.logs` installs it as the last step before rendering, so it runs for
structlog loggers and for stdlib loggers routed through structlog alike
(aiohttp, SQLAlchemy, kubernetes_asyncio's REST debug logs), at every level,
and over formatted tracebacks too. It redacts, by field name and inside text:

* fields and JSON/repr keys whose name looks secret (`password`, `secret`,
  `token`, `authorization`, `credential`, `signature`, `auth`,
  `.dockerconfigjson`), and `Authorization:` / `Bearer` / ACS3 signature text;
* environment values whose variable name looks secret, in both shapes:
  Kubernetes `{"name": "DB_PASSWORD", "value": ...}` and ECI
  `{"Key": ..., "Value": ...}` / `Container.1.EnvironmentVar.2.Value=...`;
* ECI flat parameters holding secrets (registry passwords, ConfigFileVolume
  contents), as fields and inside query text;
* a Kubernetes Secret's `data` and `stringData`.

`simulator.api.redaction` applies the ECI parameter rules at the source (the
simulator's own debug fields); they are repeated here on purpose, because an
agent process must not import the simulator (`tests/test_cli.py` checks it).

It must never raise (a logging failure would hide the event) and never touch
the event's structure beyond replacing values with `***`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import unquote_plus

REDACTED = "***"
SECRET_ENV_NAME = re.compile(
    r"(pass|pwd|secret|token|key|credential|auth|private|signature|cert|session)",
    re.IGNORECASE,
)
"""An environment variable name whose value is treated as secret (`DB_PASSWORD`, `API_KEY`)."""
SECRET_KEY_PATTERN = re.compile(
    r"(secret|password|passwd|token|authorization|credential|signature|dockerconfigjson"
    r"|dockercfg|^auths?$)",
    re.IGNORECASE,
)
"""A field or key whose value is a secret by its name alone."""
_MAX_DEPTH = 12

_Q = r"\\*[\"']"
"""A quote, possibly escaped (`"`, `\"`, `\\\"`): JSON is often logged inside a repr'd string."""


def _quoted(group: str) -> str:
    """A quoted string that ends with the same (escaped) quote it starts with; its text holds
    no quote, so no match spans two strings and every scan stays linear."""
    return rf"(?P<{group}>{_Q})[^\"'\n]*?(?P={group})"


_SECRET_KEY_VALUE = re.compile(
    rf"(?P<key>(?:{_Q})?[\w.-]*(?:secret|password|passwd|token|credential|signature"
    rf"|dockerconfigjson|dockercfg)[\w.-]*(?:{_Q})?\s*[:=]\s*)"
    rf"(?P<value>{_quoted('q')}|[^\s,&;}}\]\)\\\"']+)",
    re.IGNORECASE,
)
_AUTH_KEY_VALUE = re.compile(
    rf"(?P<key>{_Q}auth{_Q}\s*:\s*)(?P<value>{_quoted('q')})", re.IGNORECASE
)
_AUTHORIZATION = re.compile(
    rf"(?P<key>authorization(?:{_Q})?\s*[:=]\s*(?:{_Q})?)(?P<value>[^\"'\\\n\r]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<key>\b(?:Bearer|Basic)\s+)(?P<value>[\w.~+/=-]+)")
_ACS3 = re.compile(r"(?P<key>\bSignature=)(?P<value>[0-9A-Za-z+/=%]+)")
_ENV_PAIR = re.compile(
    rf"(?P<key>{_Q}(?:name|Key){_Q}\s*:\s*(?P<name>{_quoted('q1')})\s*,\s*"
    rf"{_Q}(?:value|Value){_Q}\s*:\s*)(?P<value>{_quoted('q')})"
)
"""`{"name": "DB_PASSWORD", "value": "..."}` (Kubernetes) or `{"Key": ..., "Value": ...}` (ECI)."""
_ENV_LIST_PAIR = re.compile(
    rf"(?P<key>\[\s*(?P<name>{_quoted('q1')})\s*,\s*)(?P<value>{_quoted('q')})(?=\s*\])"
)
"""`["DB_PASSWORD", "..."]`: a name/value pair as a two-item list (the simulator's stored spec)."""
_FLAT_SECRET = re.compile(r"(password|passwd|secret|token|signature|credential)$", re.IGNORECASE)
_FLAT_ENV = re.compile(r"^(?P<prefix>.*EnvironmentVar\.\d+)\.(?P<field>Key|Value)$")
_QUERY_PAIR = re.compile(r"(?:^|(?<=[&?\s'\"])|(?<=\\n))(?P<name>[\w.%~-]+)=(?P<value>[^&\s'\"]*)")
_SECRET_KIND = re.compile(rf"{_Q}kind{_Q}\s*:\s*{_Q}Secret(?:List)?{_Q}")
_SECRET_DATA = re.compile(rf"(?P<key>{_Q}(?:data|stringData){_Q}\s*:\s*)(?P<value>\{{[^{{}}]*\}})")


def redact_event(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: replace every secret in `event_dict` (fields and text) by `***`."""
    del logger, method_name
    for key in list(event_dict):
        if key.startswith("_"):
            continue  # structlog's own bookkeeping (`_record`, `_from_structlog`)
        value = event_dict[key]
        if key not in ("event", "exception") and SECRET_KEY_PATTERN.search(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _redact(value, path=key, depth=0)
    return event_dict


def redact_text(text: str) -> str:
    """`text` with every secret this module recognises replaced by `***`."""
    if _SECRET_KIND.search(text):
        text = _SECRET_DATA.sub(_masked_object, text)
    text = _ENV_PAIR.sub(_masked_env, text)
    text = _ENV_LIST_PAIR.sub(_masked_env, text)
    for pattern in (_AUTHORIZATION, _BEARER, _ACS3, _SECRET_KEY_VALUE, _AUTH_KEY_VALUE):
        text = pattern.sub(_masked, text)
    if "=" in text:
        text = _redact_query(text)
    return text


def is_secret_env_name(name: str) -> bool:
    """Whether an environment variable called `name` holds a secret."""
    return bool(SECRET_ENV_NAME.search(name))


def _is_secret_parameter(name: str) -> bool:
    last = name.rpartition(".")[2]
    return bool(_FLAT_SECRET.search(last)) or (last == "Content" and "ConfigFile" in name)


def _secret_env_prefixes(pairs: list[tuple[str, str]]) -> set[str]:
    prefixes: set[str] = set()
    for name, value in pairs:
        match = _FLAT_ENV.match(name)
        if match and match["field"] == "Key" and is_secret_env_name(value):
            prefixes.add(match["prefix"])
    return prefixes


def _is_secret_flat(name: str, prefixes: set[str]) -> bool:
    if _is_secret_parameter(name):
        return True
    match = _FLAT_ENV.match(name)
    return bool(match and match["field"] == "Value" and match["prefix"] in prefixes)


def _redact_query(text: str) -> str:
    pairs = [
        (unquote_plus(m["name"]), unquote_plus(m["value"])) for m in _QUERY_PAIR.finditer(text)
    ]
    prefixes = _secret_env_prefixes(pairs)

    def replace(match: re.Match[str]) -> str:
        if _is_secret_flat(unquote_plus(match["name"]), prefixes):
            return f"{match['name']}={REDACTED}"
        return match[0]

    return _QUERY_PAIR.sub(replace, text)


def _redact(value: Any, *, path: str, depth: int) -> Any:
    if isinstance(value, str):
        return redact_text(value) if value else value
    if depth >= _MAX_DEPTH:
        return value
    if isinstance(value, Mapping):
        return _redact_mapping(value, path=path, depth=depth)
    if isinstance(value, list | tuple):
        items = [_redact(item, path=path, depth=depth + 1) for item in value]
        return items if isinstance(value, list) else tuple(items)
    return value


def _redact_mapping(value: Mapping[Any, Any], *, path: str, depth: int) -> dict[Any, Any]:
    is_secret_object = value.get("kind") in ("Secret", "SecretList")
    env_name = value.get("name", value.get("Key"))
    secret_env = isinstance(env_name, str) and is_secret_env_name(env_name)
    flat = [(k, v) for k, v in value.items() if isinstance(k, str) and isinstance(v, str)]
    flat_envs = _secret_env_prefixes(flat)
    result: dict[Any, Any] = {}
    for key, item in value.items():
        name = str(key)
        if (
            SECRET_KEY_PATTERN.search(name)
            or (is_secret_object and name in ("data", "stringData"))
            or (secret_env and name in ("value", "Value"))
            or ("ConfigFile" in path and name in ("Content", "content"))
            or ("." in name and _is_secret_flat(name, flat_envs))
        ):
            result[key] = REDACTED
        else:
            result[key] = _redact(item, path=f"{path}.{name}", depth=depth + 1)
    return result


_LEADING_QUOTE = re.compile(_Q)


def _masked(match: re.Match[str]) -> str:
    value = match["value"]
    quote = _LEADING_QUOTE.match(value)
    mark = quote[0] if quote else ""
    return f"{match['key']}{mark}{REDACTED}{mark}"


def _masked_object(match: re.Match[str]) -> str:
    return f'{match["key"]}"{REDACTED}"'


def _masked_env(match: re.Match[str]) -> str:
    name = match["name"]
    quote = _LEADING_QUOTE.match(name)
    bare = name[len(quote[0]) : len(name) - len(quote[0])] if quote else name
    if not is_secret_env_name(bare):
        return match[0]
    return _masked(match)
