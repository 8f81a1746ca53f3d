"""What the demo and the benchmarks do in the cluster, through kubernetes_asyncio over HTTP.

Apply the ImageCache CRD when it is missing, create namespaces, Pods and ImageCaches, poll
them with a deadline, and clean up. Reads use raw JSON (`_preload_content=False`): a burst of
a hundred Pods is listed many times and the generated models would cost more than they give.
Every wait is a poll with a deadline that fails with a `StackTimeout` naming what it waited for.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

import yaml
from kubernetes_asyncio import client as k8s
from kubernetes_asyncio.client.exceptions import ApiException

from vkeci.stack.errors import StackError, StackTimeout
from vkeci.stack.objects import (
    APP_LABEL,
    IMAGECACHE_GROUP,
    IMAGECACHE_PLURAL,
    IMAGECACHE_VERSION,
)
from vkeci.stack.timings import PodTiming, timing_of

CRD_NAME: Final = "imagecaches.eci.alibabacloud.com"
POLL_SECONDS: Final = 0.1
"""Real seconds between two reads while waiting for a state."""

T = TypeVar("T")


CRD_LOCATIONS: Final = (
    Path(__file__).resolve().parents[2] / "crd" / "imagecache.yaml",
    Path("/app/crd/imagecache.yaml"),
)
"""Where the CRD manifest is: the source tree (`make demo` installs editable), then where the
Dockerfile copies it. `VK_ECI_CRD_FILE` overrides both."""


def crd_path() -> Path:
    """The ImageCache CRD manifest to apply; StackError naming the places looked at."""
    override = os.environ.get("VK_ECI_CRD_FILE")
    candidates = (Path(override),) if override else CRD_LOCATIONS
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise StackError(
        f"cannot find the ImageCache CRD manifest (looked at {looked});"
        " set VK_ECI_CRD_FILE to crd/imagecache.yaml of the vk-eci checkout"
    )


async def poll(check: Callable[[], Awaitable[T | None]], *, what: str, within_seconds: float) -> T:
    """Call `check` until it returns something other than None; StackTimeout at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_seconds
    while True:
        result = await check()
        if result is not None:
            return result
        if loop.time() >= deadline:
            raise StackTimeout(f"timed out after {within_seconds:.0f} s waiting for {what}")
        await asyncio.sleep(POLL_SECONDS)


def api_reason(exc: ApiException) -> str:
    """The API server's own message (from its Status body) or the HTTP reason."""
    body = exc.body.decode(errors="replace") if isinstance(exc.body, bytes) else exc.body
    try:
        message = json.loads(body or "{}").get("message")
    except (ValueError, AttributeError):
        message = None
    return f"{exc.status} {message or exc.reason}"


def _create_failed(exc: ApiException, *, what: str, delete_with: str) -> StackError:
    """Why creating `what` failed; a conflict says how to delete what an earlier run left."""
    if exc.status == 409:
        return StackError(
            f"{what} already exists (left by an earlier run?); delete it with: {delete_with}"
        )
    return StackError(f"cannot create {what}: {api_reason(exc)}")


async def _raw(call: Awaitable[Any]) -> dict[str, Any]:
    response = await call
    try:
        body: dict[str, Any] = json.loads(await response.read())
    finally:
        response.release()
    return body


class ClusterOps:
    """Namespaces, Pods and ImageCaches of one demo or benchmark run."""

    def __init__(self, *, api: k8s.ApiClient, app: str) -> None:
        self.api = api
        self.app = app
        self.core: Any = k8s.CoreV1Api(api)
        self.custom: Any = k8s.CustomObjectsApi(api)
        self.extensions: Any = k8s.ApiextensionsV1Api(api)
        self.apps: Any = k8s.AppsV1Api(api)

    # -- the CRD and namespaces -------------------------------------------------------------

    async def ensure_crd(self) -> bool:
        """Create the ImageCache CRD unless it exists; wait until Established. True if created."""
        created = False
        try:
            await self.extensions.read_custom_resource_definition(CRD_NAME)
        except ApiException as exc:
            if exc.status != 404:
                raise StackError(f"cannot read CRD {CRD_NAME}: {exc.status} {exc.reason}") from exc
            manifest = yaml.safe_load(await asyncio.to_thread(crd_path().read_text, "utf-8"))
            await self.extensions.create_custom_resource_definition(manifest)
            created = True

        async def established() -> bool | None:
            crd = await self.extensions.read_custom_resource_definition(CRD_NAME)
            conditions = (crd.status and crd.status.conditions) or []
            ok = any(c.type == "Established" and c.status == "True" for c in conditions)
            return True if ok else None

        await poll(established, what=f"CRD {CRD_NAME} to be Established", within_seconds=30)
        return created

    async def ensure_namespace(self, name: str) -> bool:
        """Create the namespace unless it exists and wait for its `default` ServiceAccount.

        A real cluster refuses Pods (403) until the ServiceAccount controller has created
        that account in a new namespace. True if the namespace was created here.
        """
        created = True
        try:
            await self.core.create_namespace({"metadata": {"name": name}})
        except ApiException as exc:
            if exc.status != 409:
                raise StackError(
                    f"cannot create namespace {name}: {exc.status} {exc.reason}"
                ) from exc
            created = False

        async def account_exists() -> bool | None:
            try:
                await self.core.read_namespaced_service_account(
                    "default", name, _preload_content=False
                )
            except ApiException as exc:
                if exc.status == 404:
                    return None
                raise
            return True

        await poll(
            account_exists,
            what=f"ServiceAccount {name}/default to be created",
            within_seconds=30,
        )
        return created

    # -- image caches ------------------------------------------------------------------------

    async def create_imagecache(self, body: dict[str, Any]) -> None:
        name = body["metadata"]["name"]
        try:
            await self.custom.create_cluster_custom_object(
                IMAGECACHE_GROUP, IMAGECACHE_VERSION, IMAGECACHE_PLURAL, body
            )
        except ApiException as exc:
            raise _create_failed(
                exc, what=f"ImageCache {name}", delete_with=f"kubectl delete imagecache {name}"
            ) from exc

    async def imagecache_status(self, name: str) -> dict[str, Any]:
        try:
            found = await self.custom.get_cluster_custom_object(
                IMAGECACHE_GROUP, IMAGECACHE_VERSION, IMAGECACHE_PLURAL, name
            )
        except ApiException as exc:
            if exc.status == 404:
                raise StackError(f"ImageCache {name} disappeared") from exc
            raise
        return dict(found.get("status") or {})

    async def wait_imagecache_ready(
        self,
        name: str,
        *,
        within_seconds: float,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
    ) -> str:
        """Wait for phase Ready (reporting each status seen); return the cache id."""

        async def ready() -> str | None:
            status = await self.imagecache_status(name)
            if on_progress is not None:
                on_progress(status)
            phase = status.get("phase")
            if phase in ("Failed", "UpdateFailed", "Expired"):
                events = status.get("events") or []
                last = events[-1] if events else {}
                raise StackError(
                    f"ImageCache {name} is {phase}: {last.get('message') or status.get('reason')}"
                )
            if phase == "Ready" and status.get("imageCacheId"):
                return str(status["imageCacheId"])
            return None

        return await poll(
            ready, what=f"ImageCache {name} to be Ready", within_seconds=within_seconds
        )

    async def delete_imagecache(self, name: str, *, within_seconds: float = 30) -> None:
        """Delete and wait until it is gone (its finalizer deletes the ECI cache first)."""
        try:
            await self.custom.delete_cluster_custom_object(
                IMAGECACHE_GROUP, IMAGECACHE_VERSION, IMAGECACHE_PLURAL, name
            )
        except ApiException as exc:
            if exc.status == 404:
                return
            raise

        async def gone() -> bool | None:
            try:
                await self.custom.get_cluster_custom_object(
                    IMAGECACHE_GROUP, IMAGECACHE_VERSION, IMAGECACHE_PLURAL, name
                )
            except ApiException as exc:
                if exc.status == 404:
                    return True
                raise
            return None

        await poll(gone, what=f"ImageCache {name} to be deleted", within_seconds=within_seconds)

    # -- pods -------------------------------------------------------------------------------

    async def create_pod(self, namespace: str, body: dict[str, Any]) -> None:
        name = body["metadata"]["name"]
        try:
            await self.core.create_namespaced_pod(namespace, body, _preload_content=False)
        except ApiException as exc:
            raise _create_failed(
                exc,
                what=f"Pod {namespace}/{name}",
                delete_with=f"kubectl delete pod -n {namespace} {name}",
            ) from exc

    async def list_pods(self, namespace: str, *, label_selector: str = "") -> list[dict[str, Any]]:
        selector = label_selector or f"{APP_LABEL}={self.app}"
        body = await _raw(
            self.core.list_namespaced_pod(
                namespace, label_selector=selector, _preload_content=False
            )
        )
        return list(body.get("items") or [])

    async def wait_timings(
        self,
        namespace: str,
        names: Sequence[str],
        *,
        within_seconds: float,
        label_selector: str = "",
        on_progress: Callable[[int], None] | None = None,
    ) -> dict[str, PodTiming]:
        """Wait until the agent recorded the phases of every named Pod; fail fast on Failed."""
        wanted = set(names)
        waiting: dict[str, str] = {}

        async def recorded() -> dict[str, PodTiming] | None:
            found: dict[str, PodTiming] = {}
            waiting.clear()
            for pod in await self.list_pods(namespace, label_selector=label_selector):
                name = pod["metadata"]["name"]
                if name not in wanted:
                    continue
                status = pod.get("status") or {}
                if status.get("phase") == "Failed":
                    raise StackError(
                        f"Pod {namespace}/{name} failed: {status.get('reason')}:"
                        f" {status.get('message')}"
                    )
                timing = timing_of(pod)
                if timing is not None:
                    found[name] = timing
                else:
                    waiting[name] = str(status.get("phase") or "no status")
            if on_progress is not None:
                on_progress(len(found))
            return found if len(found) == len(wanted) else None

        try:
            return await poll(
                recorded,
                what=f"{len(wanted)} Pod(s) in {namespace} to start",
                within_seconds=within_seconds,
            )
        except StackTimeout as exc:
            counts = Counter(waiting.values())
            seen = ", ".join(f"{count} {phase}" for phase, count in sorted(counts.items()))
            example = next(iter(sorted(waiting)), "")
            raise StackTimeout(
                f"{exc}; not started yet: {seen or 'none listed'} (e.g. {example}; see"
                f" kubectl describe pod -n {namespace} {example})"
            ) from exc

    async def delete_pods(self, namespace: str, *, within_seconds: float = 60) -> None:
        """Delete this run's Pods and wait until the agent has removed them."""
        selector = f"{APP_LABEL}={self.app}"
        await self.core.delete_collection_namespaced_pod(
            namespace, label_selector=selector, _preload_content=False
        )

        async def gone() -> bool | None:
            return True if not await self.list_pods(namespace) else None

        await poll(
            gone, what=f"the Pods of {namespace} to be deleted", within_seconds=within_seconds
        )

    # -- deployments ------------------------------------------------------------------------

    async def create_deployment(self, namespace: str, body: dict[str, Any]) -> None:
        name = body["metadata"]["name"]
        try:
            await self.apps.create_namespaced_deployment(namespace, body, _preload_content=False)
        except ApiException as exc:
            raise _create_failed(
                exc,
                what=f"Deployment {namespace}/{name}",
                delete_with=f"kubectl delete deployment -n {namespace} {name}",
            ) from exc

    async def delete_deployment(
        self, namespace: str, name: str, *, within_seconds: float = 60
    ) -> None:
        """Delete a Deployment in the foreground: it goes once its ReplicaSets and Pods have."""
        try:
            await self.apps.delete_namespaced_deployment(
                name, namespace, propagation_policy="Foreground"
            )
        except ApiException as exc:
            if exc.status == 404:
                return
            raise

        async def gone() -> bool | None:
            try:
                await self.apps.read_namespaced_deployment(name, namespace)
            except ApiException as exc:
                if exc.status == 404:
                    return True
                raise
            return None

        await poll(
            gone, what=f"Deployment {namespace}/{name} to be deleted", within_seconds=within_seconds
        )

    async def delete_namespace(self, name: str) -> None:
        try:
            await self.core.delete_namespace(name, _preload_content=False)
        except ApiException as exc:
            if exc.status != 404:
                raise
