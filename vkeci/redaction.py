"""The one structlog processor that keeps secrets out of every log line of every `vk-eci` process.

`vkeci.logs` installs it as the last step before rendering for the agent, the
simulator, the embedded API server, the demo and the benchmarks, so it runs for
structlog loggers and for stdlib loggers routed through structlog alike
(aiohttp, SQLAlchemy, kubernetes_asyncio's REST debug logs, the ECI SDK's own
logger), at every level, and over formatted tracebacks too. It masks, by field
name and inside text:

* fields and JSON/repr keys whose name looks secret (`password`, `secret`,
  `token`, `authorization`, `credential`, `signature`, `auth`, api and private
  keys, `.dockerconfigjson`), and `Authorization:` / `Bearer` / ACS3 signature
  text; AccessKey secrets, but not AccessKey ids;
* a Kubernetes Secret's `data`, `stringData` (`string_data` as the client's
  models name it) and a docker config's `auths` credentials, keeping the keys;
  a JSON document ending a line (kubernetes_asyncio's `response body: b'...'`)
  is parsed and masked structurally, then re-serialised compactly;
* environment values whose variable name looks secret, in every shape:
  Kubernetes `{"name": ..., "value": ...}` and ECI `{"Key": ..., "Value": ...}`
  in either order, two-item lists, and `Container.1.EnvironmentVar.2.Value=...`
  paired with its `...2.Key` in a query string or flat parameters;
* ECI flat parameters holding secrets (registry passwords, ConfigFileVolume
  contents), as fields and inside query text, and the contents of the
  simulator's stored ConfigFileVolume `files` (its SQL parameters at debug).

`simulator.api.redaction` applies the ECI parameter rules at the source (the
simulator's own debug fields, clean even where this processor is not installed);
they are repeated here on purpose, because `simulator` must not import `vkeci`
and an agent process must not import the simulator (`tests/test_cli.py`). There
is no third copy.

Every pattern is linear in the length of the text (a 1 MB line is tested): no
pattern can start a match inside a run it already scanned, and names are matched
possessively. It never raises (a logging failure would hide the event: a value
it cannot read is masked whole) and changes nothing but secret values.
"""

from __future__ import annotations

import ast
import json
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
_SECRET_WORDS = (
    r"secret|password|passwd|passphrase|token|authorization|credential|signature"
    r"|dockerconfigjson|dockercfg|api[-_]?key|private[-_]?key|access[-_]?key(?![-_]?id)"
)
SECRET_KEY_PATTERN = re.compile(rf"({_SECRET_WORDS}|^auths?$|^pass$)", re.IGNORECASE)
"""A field or key whose value is a secret by its name alone (`AccessKeyId` is not one)."""
SECRET_MAPS = frozenset({"data", "stringData", "string_data"})
"""Keys of a Secret whose every value is secret (the keys themselves stay readable)."""
_REFERENCE_KEY = re.compile(r"(Ref|Refs|Secrets|secret_refs|_secrets)$")
"""Keys that name Secrets rather than hold them (`imagePullSecrets`, `secretKeyRef`)."""
_MAX_DEPTH = 32
"""Deeper than this, a value is masked whole rather than walked."""

_Q = r"\\*[\"']"
"""A quote, possibly escaped (`"`, `\"`, `\\\"`): JSON is often logged inside a repr'd string."""
_QS = rf"(?<!\\){_Q}"
"""A quote that starts a match: never inside a run of backslashes (each would rescan the run)."""
_NOT_IN_RUN = r"(?<![\w.\\-])"
"""A match starts only where a run of name characters (or backslashes) starts, never inside one."""


def _quoted(group: str) -> str:
    """A quoted string that ends with the same (escaped) quote it starts with; its text holds
    no quote, so no match spans two strings and every scan stops at the next quote."""
    return rf"(?P<{group}>{_Q})[^\"'\n]*?(?P={group})"


_LAST_SEGMENT_SECRET = rf"(?=(?:[\w-]*+\.)*+[\w-]*?(?:{_SECRET_WORDS}))"
"""The name's last dotted segment looks secret (`ImageRegistryCredential.1.UserName` does not)."""
_SECRET_KEY_VALUE = re.compile(
    rf"(?P<key>{_NOT_IN_RUN}(?:{_Q})?{_LAST_SEGMENT_SECRET}[\w.-]++(?:{_Q})?\s*[:=]\s*)"
    rf"(?P<value>{_quoted('q')}|[^\s,&;}}\]\)\\\"']++)",
    re.IGNORECASE,
)
_AUTH_KEY_VALUE = re.compile(
    rf"(?P<key>{_QS}auth{_Q}\s*:\s*)(?P<value>{_quoted('q')})", re.IGNORECASE
)
_AUTHORIZATION = re.compile(
    rf"(?P<key>authorization(?:{_Q})?\s*[:=]\s*(?:{_Q})?)(?P<value>[^\"'\\\n\r]++)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<key>\b(?:(?i:bearer)|Basic)\s++)(?P<value>[\w.~+/=-]++)")
_ACS3 = re.compile(r"(?P<key>\bSignature=)(?P<value>[0-9A-Za-z+/=%]++)")
_ENV_PAIR = re.compile(
    rf"(?P<key>{_QS}(?:name|Key){_Q}\s*:\s*(?P<name>{_quoted('q1')})\s*,\s*"
    rf"{_Q}(?:value|Value){_Q}\s*:\s*)(?P<value>{_quoted('q')})"
)
"""`{"name": "DB_PASSWORD", "value": "..."}` (Kubernetes) or `{"Key": ..., "Value": ...}` (ECI)."""
_ENV_PAIR_VALUE_FIRST = re.compile(
    rf"(?P<key>{_QS}(?:value|Value){_Q}\s*:\s*)(?P<value>{_quoted('q')})"
    rf"(?=\s*,\s*{_Q}(?:name|Key){_Q}\s*:\s*(?P<name>{_quoted('q1')}))"
)
"""The same pair with the value first (`{"value": ..., "name": ...}`, as sorted keys put it)."""
_ENV_LIST_PAIR = re.compile(
    rf"(?P<key>\[\s*(?P<name>{_quoted('q1')})\s*,\s*)(?P<value>{_quoted('q')})(?=\s*\])"
)
"""`["DB_PASSWORD", "..."]`: a name/value pair as a two-item list (the simulator's stored spec)."""
_FLAT_SECRET = re.compile(
    r"(password|passwd|passphrase|secret|token|signature|credential|authorization"
    r"|api[-_]?key|private[-_]?key|access[-_]?key|^auth|^pass|^pwd)$",
    re.IGNORECASE,
)
"""The last segment of a flat parameter name whose value is a secret."""
_FLAT_ENV = re.compile(r"^(?P<prefix>.*EnvironmentVar\.\d+)\.(?P<field>Key|Value)$")
_QUERY_PAIR = re.compile(
    r"(?:^|(?<=[&?\s'\"])|(?<=\\n))(?P<name>[\w.%~-]++)=(?P<value>[^&\s'\"]*+)"
)
_SECRET_KIND = re.compile(rf"{_QS}kind{_Q}\s*:\s*{_Q}Secret(?:List)?{_Q}")
_SECRET_DATA = re.compile(
    rf"(?P<key>{_QS}(?:data|stringData|string_data){_Q}\s*:\s*)(?P<value>\{{[^{{}}]*+\}})"
)
_CONFIG_FILES = re.compile(rf"(?P<key>{_QS}files{_Q}\s*:\s*\[)(?P<value>(?:\s*+\[[^\[\]]*+\],?)++)")
"""`"files": [["path", "content", mode], ...]`: a ConfigFileVolume as the simulator stores it."""
_FILE_CONTENT = re.compile(rf"(?P<key>\[\s*{_quoted('q1')}\s*,\s*)(?P<value>{_quoted('q')})")
_STRUCTURE = frozenset("\"'=:{")
"""A text can only carry a secret in a form this module recognises (a quoted key,
`name=value`, a header, a JSON body) if it holds one of these, or a bearer token."""
_PLAIN_FIELDS = frozenset({"timestamp", "level", "logger", "logger_name"})
"""Fields structlog's own processors add: never a secret, never scanned."""


def redact_event(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: replace every secret in `event_dict` (fields and text) by `***`."""
    del logger, method_name
    for key in list(event_dict):
        if key.startswith("_") or key in _PLAIN_FIELDS:
            continue  # structlog's own bookkeeping (`_record`, `_from_structlog`) and fields
        value = event_dict[key]
        try:
            if key in ("event", "exception"):
                event_dict[key] = redact_value(value)
            else:
                event_dict[key] = _redact_item(key, value, owner={}, path="", depth=0)
        except Exception:  # redaction must never break logging: mask what it cannot read
            event_dict[key] = REDACTED
    return event_dict


def redact_text(text: str) -> str:
    """`text` with every secret this module recognises replaced by `***`."""
    if _STRUCTURE.isdisjoint(text) and "bearer" not in text.lower() and "Basic" not in text:
        return text
    structured = _redact_embedded_json(text)
    if structured is not None:  # the body is done; only the text before it is left
        head, body = structured
        return redact_text(head) + body
    if _SECRET_KIND.search(text):
        text = _SECRET_DATA.sub(_masked_object, text)
    text = _CONFIG_FILES.sub(_masked_files, text)
    for env_pattern in (_ENV_PAIR, _ENV_PAIR_VALUE_FIRST, _ENV_LIST_PAIR):
        text = env_pattern.sub(_masked_env, text)
    for pattern in (_AUTHORIZATION, _BEARER, _ACS3, _SECRET_KEY_VALUE, _AUTH_KEY_VALUE):
        text = pattern.sub(_masked, text)
    if "=" in text:
        text = _redact_query(text)
    return text


def redact_value(value: Any) -> Any:
    """A copy of `value` (mappings, lists, tuples, strings, bytes) with its secrets masked."""
    return _redact(value, path="", depth=0)


def is_secret_env_name(name: str) -> bool:
    """Whether an environment variable called `name` holds a secret."""
    return bool(SECRET_ENV_NAME.search(name))


def _redact_embedded_json(text: str) -> tuple[str, str] | None:
    """The text before the JSON object `text` ends with (plain, or as a bytes repr, the way
    kubernetes_asyncio logs response bodies), and that object masked structurally and
    serialised compactly; None if there is none."""
    start = text.find("{")
    if start < 0 or not text.rstrip().endswith(("}", "}'", '}"')):
        return None
    head, body = text[:start], text[start:]
    try:
        if head.endswith(("b'", 'b"', "'", '"')):
            literal_start = len(head) - (2 if head.endswith(("b'", 'b"')) else 1)
            raw = ast.literal_eval(text[literal_start:].rstrip())
            body = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            head = text[:literal_start]
        document = json.loads(body)
        return head, json.dumps(redact_value(document), separators=(",", ":"))
    except Exception:  # not a literal, not JSON, nested past the recursion limit: use the patterns
        return None


def _redact(value: Any, *, path: str, depth: int, secret_object: bool = False) -> Any:
    if isinstance(value, str):
        return redact_text(value) if value else value
    if isinstance(value, bytes | bytearray):
        return redact_text(bytes(value).decode("utf-8", "replace"))
    if depth >= _MAX_DEPTH and isinstance(value, Mapping | list | tuple):
        return REDACTED
    if isinstance(value, Mapping):
        return _redact_mapping(value, path=path, depth=depth, secret_object=secret_object)
    if isinstance(value, list | tuple):
        items = [
            _redact(item, path=path, depth=depth + 1, secret_object=secret_object) for item in value
        ]
        return items if isinstance(value, list) else tuple(items)
    return value


def _is_secret_object(value: Mapping[Any, Any]) -> bool:
    kind_type = value.get("type")
    return value.get("kind") == "Secret" or (
        isinstance(kind_type, str) and kind_type.startswith("kubernetes.io/")
    )


def _redact_mapping(
    value: Mapping[Any, Any], *, path: str, depth: int, secret_object: bool
) -> dict[Any, Any]:
    owner = {
        "secret": secret_object or _is_secret_object(value),
        "secret_list": value.get("kind") == "SecretList",
        "config_files": value.get("type") == "ConfigFileVolume",
        "env": _secret_env_name(value),
        "flat": _secret_env_prefixes(
            [(k, v) for k, v in value.items() if isinstance(k, str) and isinstance(v, str)]
        ),
    }
    return {
        key: _redact_item(str(key), item, owner=owner, path=path, depth=depth)
        for key, item in value.items()
    }


def _redact_item(name: str, item: Any, *, owner: Mapping[str, Any], path: str, depth: int) -> Any:
    """`item`, the value under key `name` of a mapping whose facts are `owner`, masked."""
    scalar = not isinstance(item, Mapping | list | tuple)
    if name in ("auths", "Auths") and isinstance(item, Mapping):
        # a docker config: each registry's entry keeps its username, loses its password and auth
        return {
            registry: (
                _redact(entry, path=f"{path}.{name}", depth=depth + 1)
                if isinstance(entry, Mapping)
                else REDACTED
            )
            for registry, entry in item.items()
        }
    if owner.get("config_files") and name == "files" and isinstance(item, list | tuple):
        # the simulator's stored ConfigFileVolume: (path, content, mode) per file
        return [
            [f[0], REDACTED, *f[2:]] if isinstance(f, list | tuple) and len(f) > 1 else REDACTED
            for f in item
        ]
    if owner.get("secret") and name in SECRET_MAPS:
        return {k: REDACTED for k in item} if isinstance(item, Mapping) else REDACTED
    if SECRET_KEY_PATTERN.search(name.rpartition(".")[2] or name) and not (
        not scalar and _REFERENCE_KEY.search(name)
    ):
        return REDACTED if scalar else _masked_leaves(item, depth=depth + 1)
    if (
        (owner.get("env") and name in ("value", "Value"))
        or ("ConfigFile" in path and name in ("Content", "content"))
        or ("." in name and _is_secret_flat(name, owner.get("flat", set())))
    ):
        return REDACTED
    return _redact(
        item,
        path=f"{path}.{name}",
        depth=depth + 1,
        secret_object=bool(owner.get("secret_list")) and name == "items",
    )


def _masked_leaves(value: Any, *, depth: int) -> Any:
    """`value` with every scalar in it masked: the keys stay, so a line still shows the shape."""
    if depth >= _MAX_DEPTH:
        return REDACTED
    if isinstance(value, Mapping):
        return {k: _masked_leaves(v, depth=depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked_leaves(v, depth=depth + 1) for v in value]
    return REDACTED


def _secret_env_name(value: Mapping[Any, Any]) -> bool:
    env_name = value.get("name", value.get("Key"))
    return isinstance(env_name, str) and is_secret_env_name(env_name)


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


_LEADING_QUOTE = re.compile(_Q)


def _masked(match: re.Match[str]) -> str:
    """The match with its `value` group (keeping the value's quotes) replaced by `***`."""
    value = match["value"]
    quote = _LEADING_QUOTE.match(value)
    mark = quote[0] if quote else ""
    start, end = match.start("value") - match.start(), match.end("value") - match.start()
    return f"{match[0][:start]}{mark}{REDACTED}{mark}{match[0][end:]}"


def _masked_files(match: re.Match[str]) -> str:
    return match["key"] + _FILE_CONTENT.sub(_masked, match["value"])


def _masked_object(match: re.Match[str]) -> str:
    return f'{match["key"]}"{REDACTED}"'


def _masked_env(match: re.Match[str]) -> str:
    name = match["name"]
    quote = _LEADING_QUOTE.match(name)
    bare = name[len(quote[0]) : len(name) - len(quote[0])] if quote else name
    if not is_secret_env_name(bare):
        return match[0]
    return _masked(match)
