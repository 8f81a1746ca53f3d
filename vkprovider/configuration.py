"""Agent settings from a config file (YAML/JSON), the environment and flags.

Layering, lowest first: dataclass defaults, the optional file, environment
(only the AccessKey: `ECI_ACCESS_KEY_ID` / `ECI_ACCESS_KEY_SECRET`, or a
credentials file), then flags (applied by the CLI as `overrides`). Unknown
keys in the file are an error naming the key and the section, so a typo is
never silently ignored. A nested section keeps its own defaults for the keys
it does not name (`imagecaches.retry` starts from the ImageCache back-off, not
the Pods').

File shape (every section and key optional):

    node: {name: virtual-kubelet, cpu: "2000", memory: 4Ti, pods: "20000"}
    lease: {renew_interval_seconds: 10}
    pods: {workers: 64, status_poll_interval_seconds: 2, retry: {backoff_seconds: [0.2, 1]}}
    eci: {endpoint: 127.0.0.1:8080, region_id: cn-hangzhou}
    kubelet: {port: 10250, tls_cert_file: ..., tls_key_file: ...}
    imagecaches: {workers: 4, build_poll_seconds: 2, label_selector: team=ml,
                  failed_retention: 86400}   # a timedelta is given in seconds
    kubeconfig: ~/.kube/config
    imagecache_controller: true
"""

from __future__ import annotations

import configparser
import dataclasses
import json
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from vkprovider.settings import AgentSettings, RetrySettings


class ConfigurationError(ValueError):
    """The configuration names something unknown or has a value of the wrong type."""


def _build(defaults: Any, values: Mapping[str, Any], *, where: str) -> Any:
    """`defaults` (a settings dataclass instance) with the keys of `values` set."""
    if not isinstance(values, Mapping):
        raise ConfigurationError(f"{where}: expected a mapping, got {values!r}")
    fields = {f.name: f for f in dataclasses.fields(defaults)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigurationError(f"{where}.{key}: unknown setting (known: {known})")
        default = getattr(defaults, key)
        if dataclasses.is_dataclass(default) and not isinstance(default, type):
            kwargs[key] = _build(default, value, where=f"{where}.{key}")
        elif isinstance(default, tuple):
            if not isinstance(value, list | tuple):
                raise ConfigurationError(f"{where}.{key}: expected a list, got {value!r}")
            kwargs[key] = tuple(float(v) for v in value)
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigurationError(f"{where}.{key}: expected true or false, got {value!r}")
            kwargs[key] = value
        elif isinstance(default, timedelta):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigurationError(f"{where}.{key}: expected seconds, got {value!r}")
            kwargs[key] = timedelta(seconds=value)
        elif isinstance(default, int | float) and not isinstance(value, int | float):
            raise ConfigurationError(f"{where}.{key}: expected a number, got {value!r}")
        else:
            kwargs[key] = type(default)(value)
    return dataclasses.replace(defaults, **kwargs)


def settings_from_mapping(values: Mapping[str, Any]) -> AgentSettings:
    settings: AgentSettings = _build(AgentSettings(), values, where="config")
    return settings


def load_settings_file(path: str | Path) -> AgentSettings:
    text = Path(path).read_text()
    data = yaml.safe_load(text) or {}
    return settings_from_mapping(data)


def read_credentials_file(path: str | Path) -> tuple[str, str]:
    """JSON `{"access_key_id", "access_key_secret"}` or INI `[default]` with the same keys."""
    text = Path(path).read_text()
    try:
        data = json.loads(text)
    except ValueError:
        parser = configparser.ConfigParser()
        parser.read_string(text)
        section = parser["default"] if parser.has_section("default") else {}
        data = dict(section)
    key_id = str(data.get("access_key_id") or "")
    secret = str(data.get("access_key_secret") or "")
    if not key_id or not secret:
        raise ConfigurationError(f"{path}: needs access_key_id and access_key_secret")
    return key_id, secret


def with_credentials(
    settings: AgentSettings,
    *,
    environ: Mapping[str, str] | None = None,
    credentials_file: str = "",
) -> AgentSettings:
    environ = os.environ if environ is None else environ
    key_id = settings.eci.access_key_id
    secret = settings.eci.access_key_secret
    if credentials_file:
        key_id, secret = read_credentials_file(credentials_file)
    key_id = environ.get("ECI_ACCESS_KEY_ID", key_id)
    secret = environ.get("ECI_ACCESS_KEY_SECRET", secret)
    return dataclasses.replace(
        settings,
        eci=dataclasses.replace(settings.eci, access_key_id=key_id, access_key_secret=secret),
    )


__all__ = [
    "ConfigurationError",
    "RetrySettings",
    "load_settings_file",
    "settings_from_mapping",
    "with_credentials",
]
