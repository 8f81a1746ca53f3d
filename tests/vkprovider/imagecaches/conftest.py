"""Fixtures of the ImageCache tests: the CRD applied like any manifest, a running controller
pointed at the simulator, and helpers that poll the API server with a deadline.

Every ImageCache a test creates gets a unique name (`names`) and is deleted afterwards, so
the tests also run against a real cluster (`KUBECONFIG`), where cluster-scoped names are
shared.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import structlog
import yaml
from kubernetes_asyncio import client as k8s
from kubernetes_asyncio.client.exceptions import ApiException

from simulator.settings import SimulatorSettings
from tests.fixtures.eci import EciTarget, make_test_settings
from tests.polling import eventually
from tests.vkprovider import conftest as agent_fixtures
from vkprovider.eci.client import EciClient
from vkprovider.imagecaches.controller import ImageCacheController
from vkprovider.imagecaches.kinds import GROUP, PLURAL, VERSION
from vkprovider.settings import EciSettings, ImageCacheSettings, RetrySettings

# The node agent's fixtures (tests/vkprovider/conftest.py), for the tests of Pods using a cache.
agent = agent_fixtures.agent
agent_settings = agent_fixtures.agent_settings
namespace = agent_fixtures.namespace

CRD_PATH = Path(__file__).resolve().parents[3] / "crd" / "imagecache.yaml"
CRD_NAME = "imagecaches.eci.alibabacloud.com"
HUGE_IMAGE = "docker.io/vkeci/huge-model:1.0"
"""A test catalog image whose unpacked size (24000 MB, 22.35 GiB) cannot fit 20 GiB."""

RUN_LABEL = ("vk-eci.io/test-run", secrets.token_hex(4))
"""Every ImageCache of this test run carries it, and the test controllers select on it: on a
shared cluster they never touch (add finalizers to, build) anyone else's caches."""

FAST = ImageCacheSettings(
    label_selector="=".join(RUN_LABEL),
    build_poll_seconds=0.1,
    resync_seconds=2.0,
    crd_missing_retry_seconds=0.2,
    retry=RetrySettings(backoff_seconds=(0.1, 0.2, 0.5, 1.0)),
)


@pytest.fixture
def eci_settings(tmp_path: Path) -> SimulatorSettings:
    """The default test simulator plus a catalog file with an image too big for 20 GiB and
    a reference marked missing (the open registry would pull it otherwise)."""
    catalog = tmp_path / "huge-catalog.json"
    catalog.write_text(
        json.dumps(
            {
                "images": [{"ref": HUGE_IMAGE, "layers_mb": [40.0], "uncompressed_mb": [24000.0]}],
                "missing": ["docker.io/library/nosuchimage:1.0"],
            }
        )
    )
    return dataclasses.replace(make_test_settings(tmp_path), catalog_paths=(catalog,))


async def apply_crd(api: k8s.ApiClient) -> None:
    """Create (or replace) the CRD from `crd/imagecache.yaml` and wait until it is Established."""
    extensions = k8s.ApiextensionsV1Api(api)
    manifest = yaml.safe_load(CRD_PATH.read_text())
    try:
        await extensions.create_custom_resource_definition(manifest)
    except ApiException as exc:
        if exc.status != 409:
            raise
        current = await extensions.read_custom_resource_definition(CRD_NAME)
        manifest["metadata"]["resourceVersion"] = current.metadata.resource_version
        await extensions.replace_custom_resource_definition(CRD_NAME, manifest)

    async def established() -> bool:
        crd = await extensions.read_custom_resource_definition(CRD_NAME)
        conditions = (crd.status and crd.status.conditions) or []
        return any(c.type == "Established" and c.status == "True" for c in conditions)

    await eventually(established, what="the ImageCache CRD to be Established", deadline_seconds=20)


class ImageCaches:
    """Create, read, patch and delete ImageCaches through the API server, as kubectl would."""

    def __init__(self, api: k8s.ApiClient) -> None:
        self.custom = k8s.CustomObjectsApi(api)
        self.core = k8s.CoreV1Api(api)
        self.suffix = secrets.token_hex(3)
        self.created: list[str] = []
        self.secrets: list[tuple[str, str]] = []

    def name(self, base: str) -> str:
        return f"{base}-{self.suffix}"

    async def create(
        self, base: str, spec: dict[str, Any], *, annotations: dict[str, str] | None = None
    ) -> dict[str, Any]:
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "ImageCache",
            "metadata": {
                "name": self.name(base),
                "annotations": annotations or {},
                "labels": dict([RUN_LABEL]),
            },
            "spec": spec,
        }
        created: dict[str, Any] = await self.custom.create_cluster_custom_object(
            GROUP, VERSION, PLURAL, body
        )
        self.created.append(created["metadata"]["name"])
        return created

    async def get(self, name: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = await self.custom.get_cluster_custom_object(
                GROUP, VERSION, PLURAL, name
            )
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return found

    async def status(self, name: str) -> dict[str, Any]:
        found = await self.get(name)
        return dict((found or {}).get("status") or {})

    async def wait_phase(
        self, name: str, *phases: str, within_seconds: float = 20.0
    ) -> dict[str, Any]:
        async def reached() -> dict[str, Any] | None:
            status = await self.status(name)
            return status if status.get("phase") in phases else None

        result: dict[str, Any] = await eventually(
            reached,
            what=f"ImageCache {name} to reach {'/'.join(phases)}",
            deadline_seconds=within_seconds,
        )
        return result

    async def delete(self, name: str) -> None:
        try:
            await self.custom.delete_cluster_custom_object(GROUP, VERSION, PLURAL, name)
        except ApiException as exc:
            if exc.status != 404:
                raise

    async def docker_secret(
        self, namespace: str, base: str, *, server: str, username: str, password: str
    ) -> str:
        """A kubernetes.io/dockerconfigjson Secret, as `kubectl create secret docker-registry`."""
        name = self.name(base)
        config = {"auths": {server: {"username": username, "password": password}}}
        await self.core.create_namespaced_secret(
            namespace,
            k8s.V1Secret(
                metadata=k8s.V1ObjectMeta(name=name),
                type="kubernetes.io/dockerconfigjson",
                string_data={".dockerconfigjson": json.dumps(config)},
            ),
        )
        self.secrets.append((namespace, name))
        return name

    async def opaque_secret(self, namespace: str, base: str) -> str:
        name = self.name(base)
        await self.core.create_namespaced_secret(
            namespace,
            k8s.V1Secret(metadata=k8s.V1ObjectMeta(name=name), string_data={"token": "x"}),
        )
        self.secrets.append((namespace, name))
        return name

    async def clean_up(self) -> None:
        for name in self.created:
            await self.delete(name)
        for namespace, name in self.secrets:
            try:
                await self.core.delete_namespaced_secret(name, namespace)
            except ApiException as exc:
                if exc.status != 404:
                    raise


@pytest.fixture
async def imagecaches(kube_api: k8s.ApiClient) -> AsyncIterator[ImageCaches]:
    await apply_crd(kube_api)
    caches = ImageCaches(kube_api)
    yield caches
    await caches.clean_up()


def eci_wrapper(eci: EciTarget) -> EciClient:
    """The agent's ECI client for the test simulator (what the node agent passes in)."""
    return EciClient(
        settings=EciSettings(
            endpoint=eci.endpoint,
            region_id=eci.region_id,
            access_key_id=eci.access_key_id,
            access_key_secret=eci.access_key_secret,
            protocol="http",
            retry=RetrySettings(backoff_seconds=(0.1, 0.2, 0.5)),
        ),
        logger=structlog.get_logger("tests.eci"),
    )


class RunningController:
    """An ImageCacheController running as a task; `restart()` replaces it with a new one."""

    def __init__(self, api: k8s.ApiClient, eci: EciTarget) -> None:
        self._api = api
        self._eci = eci
        self.controller: ImageCacheController | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, *, ahead: timedelta = timedelta(0), wait_synced: bool = True) -> None:
        """Start a controller whose wall clock runs `ahead` of the real one."""
        self.controller = ImageCacheController(
            api=self._api,
            eci=eci_wrapper(self._eci),
            settings=FAST,
            logger=structlog.get_logger("tests.vkprovider.imagecaches"),
            now=lambda: datetime.now(UTC) + ahead,
        )
        self._task = asyncio.create_task(self.controller.run(), name="imagecache-controller")
        if wait_synced:
            await asyncio.wait_for(self.controller.synced.wait(), 20)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def restart(self, *, ahead: timedelta = timedelta(0)) -> None:
        await self.stop()
        await self.start(ahead=ahead)


@pytest.fixture
async def controller(
    kube_api: k8s.ApiClient, eci: EciTarget, imagecaches: ImageCaches
) -> AsyncIterator[RunningController]:
    running = RunningController(kube_api, eci)
    await running.start()
    yield running
    # Let the controller run its finalizers for the caches the test made, then stop it.
    await imagecaches.clean_up()
    for name in imagecaches.created:
        await eventually(
            partial(_gone, imagecaches, name),
            what=f"ImageCache {name} to be deleted",
            deadline_seconds=20,
        )
    await running.stop()


async def _gone(caches: ImageCaches, name: str) -> bool:
    return await caches.get(name) is None
