"""Kubeconfig files that point kubectl and kubernetes_asyncio at an embedded server.

Everything is named `localkube` (cluster, user, context) so a test can select it by name.
The server does not authenticate; the token is only there because some tools insist on a
user entry with credentials.
"""

from __future__ import annotations

from pathlib import Path

import yaml

NAME = "localkube"


def render(*, server: str, namespace: str = "default") -> str:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": NAME, "cluster": {"server": server}}],
        "users": [{"name": NAME, "user": {"token": NAME}}],
        "contexts": [
            {"name": NAME, "context": {"cluster": NAME, "user": NAME, "namespace": namespace}}
        ],
        "current-context": NAME,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)


def write(path: Path, *, server: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(server=server))
    path.chmod(0o600)
    return path
