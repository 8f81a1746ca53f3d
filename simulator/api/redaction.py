"""Redaction of secrets in request parameters before they reach a log line.

Registry passwords travel as parameters (`ImageRegistryCredential.1.Password`),
and so do the files of ConfigFileVolumes (`Volume.1.ConfigFileVolume.ConfigFileToPath.1.Content`,
often a Secret's data); AccessKey secrets and tokens never should, but would be
hidden the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SECRET_PARAMETER = re.compile(r"(password|secret|token|signature|content)", re.IGNORECASE)
REDACTED = "***"


def redact_params(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Flat parameters with the value of every secret-looking name replaced."""
    return {
        key: REDACTED if SECRET_PARAMETER.search(key.rpartition(".")[2]) else value
        for key, value in pairs
    }
