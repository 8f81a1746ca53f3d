"""The pod controller's Kubernetes reads and writes (raw JSON, with retries).

Status goes through `pods/status` as a JSON merge patch, sent as orjson bytes
(`kube.rawwrites`: no model walk, no second serialisation) (the agent owns the
lists it writes: conditions, containerStatuses); bookkeeping annotations ride
along in that patch when there is one (pods/status accepts metadata), else
go through a metadata merge patch; removal is a delete with grace 0 and a UID
precondition, so a new Pod of the same name is never deleted by mistake.
"""

from __future__ import annotations

import base64
import contextlib
from typing import Any

from kubernetes_asyncio import client

from vkprovider.kube import rawwrites
from vkprovider.kube.calls import read_json, with_retries
from vkprovider.kube.errors import KubeConflict, KubeNotFound
from vkprovider.pods.requests import PodSpecError, ReferencedObjects
from vkprovider.registrysecrets import (
    InvalidRegistrySecret,
    RegistryCredential,
    credentials_from_secret,
)
from vkprovider.settings import RetrySettings
from vkprovider.types import RawObject

MERGE = "application/merge-patch+json"


class PodWriter:
    def __init__(self, *, api: client.ApiClient, retry: RetrySettings, logger: Any) -> None:
        self._api = api
        self._core: Any = client.CoreV1Api(api)
        self._retry = retry
        self._logger = logger

    async def _call(self, operation: str, call: Any) -> Any:
        return await with_retries(call, operation=operation, retry=self._retry, logger=self._logger)

    async def patch_status(
        self,
        pod: RawObject,
        status: dict[str, Any],
        *,
        annotations: dict[str, str] | None = None,
    ) -> RawObject | None:
        """Merge-patch `status` (and `annotations`, in the same write) through pods/status.

        Pods are one of the early types whose status subresource also takes metadata
        changes (only ownerReferences are kept): kubernetes/kubernetes#92022.
        """
        metadata: dict[str, Any] = {"uid": pod["metadata"]["uid"]}
        if annotations:
            metadata["annotations"] = annotations
        return await self._merge_patch(pod, {"metadata": metadata, "status": status}, status=True)

    async def patch_annotations(
        self, pod: RawObject, annotations: dict[str, str]
    ) -> RawObject | None:
        body = {"metadata": {"uid": pod["metadata"]["uid"], "annotations": annotations}}
        return await self._merge_patch(pod, body, status=False)

    async def _merge_patch(
        self, pod: RawObject, body: dict[str, Any], *, status: bool
    ) -> RawObject | None:
        """JSON merge patch on the Pod or its status; None when it is gone or was replaced."""
        meta = pod["metadata"]
        parts = ["api", "v1", "namespaces", meta["namespace"], "pods", meta["name"]]
        resource = rawwrites.path(*parts, "status") if status else rawwrites.path(*parts)

        async def call() -> Any:
            return await read_json(
                await rawwrites.send(self._api, "PATCH", resource, body, content_type=MERGE)
            )

        try:
            result: RawObject = await self._call(
                "patch pod status" if status else "patch pod", call
            )
            return result
        except (KubeNotFound, KubeConflict):
            return None

    async def delete_pod(self, pod: RawObject) -> None:
        """Remove the Pod object now (grace 0, only this UID)."""
        meta = pod["metadata"]
        body = {"gracePeriodSeconds": 0, "preconditions": {"uid": meta["uid"]}}

        async def call() -> Any:
            return await read_json(
                await self._core.delete_namespaced_pod(
                    meta["name"], meta["namespace"], body=body, _preload_content=False
                )
            )

        with contextlib.suppress(KubeNotFound, KubeConflict):
            await self._call("delete pod", call)

    async def _read(self, kind: str, namespace: str, name: str) -> RawObject | None:
        reader = (
            self._core.read_namespaced_config_map
            if kind == "configmap"
            else self._core.read_namespaced_secret
        )

        async def call() -> Any:
            return await read_json(await reader(name, namespace, _preload_content=False))

        try:
            result: RawObject = await self._call(f"get {kind}", call)
            return result
        except KubeNotFound:
            return None

    async def referenced_objects(
        self, namespace: str, config_maps: set[str], secrets: set[str]
    ) -> ReferencedObjects:
        """The named ConfigMaps and Secrets (missing ones left out), as env text and file bytes."""
        cm_data: dict[str, dict[str, str]] = {}
        cm_files: dict[str, dict[str, bytes]] = {}
        secret_data: dict[str, dict[str, str]] = {}
        secret_files: dict[str, dict[str, bytes]] = {}
        for name in sorted(config_maps):
            obj = await self._read("configmap", namespace, name)
            if obj is not None:
                cm_data[name] = dict(obj.get("data") or {})
                cm_files[name] = {k: v.encode() for k, v in cm_data[name].items()}
                for key, value in (obj.get("binaryData") or {}).items():
                    cm_files[name][key] = base64.b64decode(value)
        for name in sorted(secrets):
            obj = await self._read("secret", namespace, name)
            if obj is not None:
                secret_files[name] = {
                    k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()
                }
                secret_data[name] = {
                    k: v.decode("utf-8", "replace") for k, v in secret_files[name].items()
                }
        return ReferencedObjects(
            config_maps=cm_data,
            secrets=secret_data,
            config_map_files=cm_files,
            secret_files=secret_files,
        )

    async def registry_credentials(
        self, namespace: str, secret_names: list[str]
    ) -> list[RegistryCredential]:
        """imagePullSecrets (dockerconfigjson / dockercfg) as ECI registry credentials.

        A missing pull secret is skipped, as the kubelet does (the pull then
        fails with ECI's own unauthorised error); a malformed one fails the Pod with
        a message naming the field and the Secret (`vkprovider.registrysecrets`).
        """
        credentials: list[RegistryCredential] = []
        for index, name in enumerate(secret_names):
            obj = await self._read("secret", namespace, name)
            if obj is None:
                self._logger.warning("image pull secret not found", secret=f"{namespace}/{name}")
                continue
            try:
                credentials.extend(
                    credentials_from_secret(
                        secret=f"{namespace}/{name}",
                        field=f"spec.imagePullSecrets[{index}]",
                        secret_type=obj.get("type"),
                        data=obj.get("data"),
                    )
                )
            except InvalidRegistrySecret as exc:
                raise PodSpecError(exc.field, exc.detail) from None
        return credentials
