"""Redaction of secrets in ECI request parameters before they reach a log line.

Secrets travel as ECI parameters: registry passwords
(`ImageRegistryCredential.1.Password`), environment values whose variable name
looks secret (`Container.1.EnvironmentVar.2.Value` when `...2.Key` is
`DB_PASSWORD`), and ConfigFileVolume contents
(`Volume.1.ConfigFileVolume.ConfigFileToPath.1.Content`, where Kubernetes
Secret files travel). AccessKey secrets, tokens and signatures never should,
but are hidden the same way. The rules apply to parameter pairs (the debug
log of each call) and to text carrying a query string (the canonical request
quoted in a SignatureDoesNotMatch message). `vkeci.redaction`, the one log
processor of every `vk-eci` process, applies the same rules to every log line;
this module keeps the simulator's own fields clean at the source, even where that
processor is not installed (the simulator embedded in tests or another program).
Both exist because `simulator` must not import `vkeci` (an import-linter
contract) nor `vkeci` the simulator (an agent process must not load it); there
is no third copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote_plus

SECRET_PARAMETER = re.compile(
    r"(password|passwd|secret|token|signature|credential|authorization)", re.IGNORECASE
)
"""The last segment of a parameter name that holds a secret (`Password`, `AccessKeySecret`)."""
SECRET_NAME = re.compile(
    r"(pass|pwd|secret|token|key|credential|auth|private|signature|cert|session)",
    re.IGNORECASE,
)
"""An environment variable name whose value is treated as secret (`DB_PASSWORD`, `API_KEY`)."""
REDACTED = "***"

_ENV_SUFFIX = re.compile(r"^(?P<prefix>.*EnvironmentVar\.\d+)\.(?P<field>Key|Value)$")
_QUERY_PAIR = re.compile(r"(?:^|(?<=[&?\s'\"])|(?<=\\n))(?P<name>[\w.%~-]+)=(?P<value>[^&\s'\"]*)")
"""`name=value` in a query string, also inside a repr'd canonical request (after a `\\n`)."""


def is_secret_parameter(name: str) -> bool:
    """Whether the value of the flat parameter `name` is a secret by its name alone."""
    last = name.rpartition(".")[2]
    if SECRET_PARAMETER.search(last):
        return True
    return last == "Content" and "ConfigFileVolume" in name


def is_secret_env_name(name: str) -> bool:
    """Whether an environment variable called `name` holds a secret."""
    return bool(SECRET_NAME.search(name))


def secret_env_prefixes(pairs: Iterable[tuple[str, str]]) -> set[str]:
    """`Container.1.EnvironmentVar.2` for every variable whose Key looks secret."""
    prefixes: set[str] = set()
    for name, value in pairs:
        match = _ENV_SUFFIX.match(name)
        if match and match["field"] == "Key" and is_secret_env_name(value):
            prefixes.add(match["prefix"])
    return prefixes


def redact_params(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Flat parameters with the value of every secret replaced by `***`."""
    items = list(pairs)
    secret_envs = secret_env_prefixes(items)
    result: dict[str, str] = {}
    for name, value in items:
        result[name] = REDACTED if _is_secret(name, secret_envs) else value
    return result


def redact_query_text(text: str) -> str:
    """`text` with the value of every secret `name=value` query pair replaced by `***`."""
    if "=" not in text:
        return text
    decoded = [
        (unquote_plus(m["name"]), unquote_plus(m["value"])) for m in _QUERY_PAIR.finditer(text)
    ]
    secret_envs = secret_env_prefixes(decoded)

    def replace(match: re.Match[str]) -> str:
        if _is_secret(unquote_plus(match["name"]), secret_envs):
            return f"{match['name']}={REDACTED}"
        return match[0]

    return _QUERY_PAIR.sub(replace, text)


def _is_secret(name: str, secret_envs: set[str]) -> bool:
    if is_secret_parameter(name):
        return True
    match = _ENV_SUFFIX.match(name)
    return bool(match and match["field"] == "Value" and match["prefix"] in secret_envs)
