"""The ECI calls behind an ImageCache: create, describe, find, update, delete.

Everything goes through the agent's `EciClient` (official SDK, retries, error translation,
metrics). This module turns our values into SDK request models and SDK responses into raw
dicts (`CloudImageCache`), and sorts ECI's errors into "the user's input is wrong"
(`InvalidImageCache`, shown in status) and "try again later" (`RetryableProblem`).
It never decides what to do with a cache: that is `reconciling`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol, cast

from alibabacloud_eci20180808 import models as eci_models

from vkprovider.eci.errors import EciError, EciNotFound, EciPermanentError
from vkprovider.imagecaches.errors import InvalidImageCache, RetryableProblem
from vkprovider.imagecaches.kinds import CloudImageCache, ImageCacheId, ResourceName, ResourceUid
from vkprovider.imagecaches.specs import ImageCacheSpec
from vkprovider.registrysecrets import RegistryCredential


class EciCaller(Protocol):
    """What this module needs of `vkprovider.eci.client.EciClient`."""

    @property
    def region_id(self) -> str: ...

    async def call(self, action: str, request: Any, *, retry: bool = True) -> Any: ...


def cloud_name(name: ResourceName) -> str:
    """ECI cache names take letters, digits and hyphens (2-128): dots become hyphens."""
    cleaned = re.sub(r"[^a-z0-9-]", "-", name.lower()).strip("-")
    return (cleaned or "imagecache").ljust(2, "0")[:128]


def _refuse_or_retry(error: EciError, *, action: str) -> Exception:
    if isinstance(error, EciPermanentError):
        return InvalidImageCache(
            f"{action} refused by ECI: {error.code}: {error.message}", field="spec"
        )
    return RetryableProblem(str(error))


async def create(
    eci: EciCaller,
    *,
    name: ResourceName,
    client_token: str,
    spec: ImageCacheSpec,
    credentials: Sequence[RegistryCredential],
    tags: dict[str, str],
) -> ImageCacheId:
    """CreateImageCache; the caller passes the resource's UID as `client_token` (or UID-generation
    for a rebuild), so repeating the call never makes a second cache."""
    request = eci_models.CreateImageCacheRequest(
        region_id=eci.region_id,
        image_cache_name=cloud_name(name),
        image=list(spec.images),
        image_cache_size=spec.size_gib,
        retention_days=spec.retention_days,
        auto_match_image_cache=spec.auto_match or None,
        client_token=client_token,
        image_registry_credential=[
            eci_models.CreateImageCacheRequestImageRegistryCredential(
                server=credential.server,
                user_name=credential.username,
                password=credential.password,
            )
            for credential in credentials
        ]
        or None,
        tag=[eci_models.CreateImageCacheRequestTag(key=k, value=v) for k, v in tags.items()],
        flash=spec.options.flash or None,
        v_switch_id=spec.options.vswitch_id,
        security_group_id=spec.options.security_group_id,
        resource_group_id=spec.options.resource_group_id,
        acr_registry_info=[
            eci_models.CreateImageCacheRequestAcrRegistryInfo(
                instance_id=instance.instance_id, region_id=instance.region_id
            )
            for instance in spec.options.acr_instances
        ]
        or None,
        plain_http_registry=spec.options.plain_http_registry,
        insecure_registry=spec.options.insecure_registry,
    )
    try:
        body = await eci.call("CreateImageCache", request)
    except EciError as error:
        raise _refuse_or_retry(error, action="CreateImageCache") from error
    return ImageCacheId(str(body.image_cache_id))


async def update(
    eci: EciCaller,
    *,
    cache_id: ImageCacheId,
    token: str,
    spec: ImageCacheSpec,
    credentials: Sequence[RegistryCredential],
) -> None:
    """UpdateImageCache to the new spec (ECI goes Updating → Ready or UpdateFailed)."""
    request = eci_models.UpdateImageCacheRequest(
        region_id=eci.region_id,
        image_cache_id=cache_id,
        image=list(spec.images),
        image_cache_size=spec.size_gib,
        retention_days=spec.retention_days,
        auto_match_image_cache=spec.auto_match or None,
        client_token=token,
        image_registry_credential=[
            eci_models.UpdateImageCacheRequestImageRegistryCredential(
                server=credential.server,
                user_name=credential.username,
                password=credential.password,
            )
            for credential in credentials
        ]
        or None,
        flash=spec.options.flash or None,
        v_switch_id=spec.options.vswitch_id,
        security_group_id=spec.options.security_group_id,
        resource_group_id=spec.options.resource_group_id,
        acr_registry_info=[
            eci_models.UpdateImageCacheRequestAcrRegistryInfo(
                instance_id=instance.instance_id, region_id=instance.region_id
            )
            for instance in spec.options.acr_instances
        ]
        or None,
    )
    try:
        await eci.call("UpdateImageCache", request)
    except EciError as error:
        raise _refuse_or_retry(error, action="UpdateImageCache") from error


async def _describe(eci: EciCaller, request: Any) -> list[CloudImageCache]:
    try:
        body = await eci.call("DescribeImageCaches", request)
    except EciNotFound:
        return []
    except EciError as error:
        raise RetryableProblem(str(error)) from error
    raw = cast(dict[str, Any], body.to_map())
    return cast(list[CloudImageCache], raw.get("ImageCaches") or [])


async def describe(eci: EciCaller, *, cache_id: ImageCacheId) -> CloudImageCache | None:
    """The cache with this id, or None when ECI no longer has it."""
    request = eci_models.DescribeImageCachesRequest(
        region_id=eci.region_id, image_cache_id=cache_id
    )
    for cache in await _describe(eci, request):
        if cache.get("ImageCacheId") == cache_id:
            return cache
    return None


async def find(
    eci: EciCaller, *, name: ResourceName, uid: ResourceUid, uid_tag: str
) -> CloudImageCache | None:
    """The cache created for this resource (its name and UID tag), if one exists."""
    request = eci_models.DescribeImageCachesRequest(
        region_id=eci.region_id,
        image_cache_name=cloud_name(name),
        tag=[eci_models.DescribeImageCachesRequestTag(key=uid_tag, value=uid)],
    )
    for cache in await _describe(eci, request):
        tags = {tag.get("Key"): tag.get("Value") for tag in cache.get("Tags") or []}
        if tags.get(uid_tag) == uid:
            return cache
    return None


async def delete(eci: EciCaller, *, cache_id: ImageCacheId) -> None:
    """DeleteImageCache; a cache ECI no longer has counts as deleted."""
    request = eci_models.DeleteImageCacheRequest(region_id=eci.region_id, image_cache_id=cache_id)
    try:
        await eci.call("DeleteImageCache", request)
    except EciNotFound:
        return
    except EciError as error:
        raise RetryableProblem(f"{error} (image cache {cache_id})") from error
