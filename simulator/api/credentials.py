"""Where the simulator's AccessKey pairs come from: the environment or a credentials file.

Never from code. Accepted file formats:

* JSON: `{"access_key_id": "...", "access_key_secret": "..."}`, a list of such
  objects, or `{"credentials": [...]}`;
* INI (the Alibaba Cloud CLI style): one section per pair,
  `[default]` / `access_key_id = ...` / `access_key_secret = ...`.

Errors name the file and what is missing, never a secret value.
"""

from __future__ import annotations

import configparser
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.settings import Credential

ENV_ACCESS_KEY_ID = "ECI_ACCESS_KEY_ID"
ENV_ACCESS_KEY_SECRET = "ECI_ACCESS_KEY_SECRET"


class CredentialsError(ValueError):
    """The credentials given are incomplete or unreadable; the message says which."""


def credentials_from_env(env: Mapping[str, str]) -> tuple[Credential, ...]:
    """The pair in ECI_ACCESS_KEY_ID / ECI_ACCESS_KEY_SECRET, or nothing if neither is set."""
    access_key_id = env.get(ENV_ACCESS_KEY_ID, "").strip()
    access_key_secret = env.get(ENV_ACCESS_KEY_SECRET, "").strip()
    if not access_key_id and not access_key_secret:
        return ()
    if not access_key_id or not access_key_secret:
        missing = ENV_ACCESS_KEY_ID if not access_key_id else ENV_ACCESS_KEY_SECRET
        raise CredentialsError(f"{missing} is not set; set both or neither")
    return (Credential(access_key_id=access_key_id, access_key_secret=access_key_secret),)


def load_credentials_file(path: Path) -> tuple[Credential, ...]:
    """Every AccessKey pair in a JSON or INI credentials file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CredentialsError(
            f"{path}: cannot read the credentials file ({exc.strerror})"
        ) from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return _from_ini(path, text)
    return _from_json(path, document)


def _from_json(path: Path, document: Any) -> tuple[Credential, ...]:
    if isinstance(document, dict) and "credentials" in document:
        document = document["credentials"]
    entries = document if isinstance(document, list) else [document]
    credentials = []
    for index, entry in enumerate(entries):
        where = f"{path}: entry {index + 1}"
        if not isinstance(entry, dict):
            raise CredentialsError(f"{where}: expected an object with access_key_id/secret")
        credentials.append(_credential(where, entry))
    if not credentials:
        raise CredentialsError(f"{path}: no credentials in the file")
    return tuple(credentials)


def _from_ini(path: Path, text: str) -> tuple[Credential, ...]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise CredentialsError(f"{path}: neither JSON nor INI ({exc.message})") from exc
    credentials = tuple(
        _credential(f"{path}: [{name}]", dict(parser[name])) for name in parser.sections()
    )
    if not credentials:
        raise CredentialsError(f"{path}: no [section] with access_key_id/access_key_secret")
    return credentials


def _credential(where: str, entry: Mapping[str, Any]) -> Credential:
    access_key_id = str(entry.get("access_key_id", "")).strip()
    access_key_secret = str(entry.get("access_key_secret", "")).strip()
    if not access_key_id:
        raise CredentialsError(f"{where}: access_key_id is missing")
    if not access_key_secret:
        raise CredentialsError(f"{where}: access_key_secret is missing")
    return Credential(access_key_id=access_key_id, access_key_secret=access_key_secret)
