"""Build the kubernetes_asyncio ApiClient the agent uses for everything.

Order: an explicit `--kubeconfig`, else `$KUBECONFIG` (first existing path of
the list), else the in-cluster service account. The agent never special-cases
the embedded API server: it is just another kubeconfig.
"""

from __future__ import annotations

import os
from pathlib import Path

from kubernetes_asyncio import client, config


def kubeconfig_path(explicit: str = "") -> str | None:
    if explicit:
        return explicit
    for candidate in os.environ.get("KUBECONFIG", "").split(os.pathsep):
        if candidate and Path(candidate).expanduser().exists():
            return str(Path(candidate).expanduser())
    return None


async def make_api_client(*, kubeconfig: str = "") -> client.ApiClient:
    configuration = client.Configuration()
    path = kubeconfig_path(kubeconfig)
    if path is not None:
        await config.load_kube_config(config_file=path, client_configuration=configuration)
    else:
        config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
    return client.ApiClient(configuration)
