"""Image caches for agent tests, made directly through the official SDK."""

from __future__ import annotations

import secrets

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client

from tests.vkprovider.helpers import eventually


async def create_cache(eci_client: Client, region_id: str, images: list[str]) -> str:
    response = await eci_client.create_image_cache_async(
        eci_models.CreateImageCacheRequest(
            region_id=region_id,
            image_cache_name=f"test-{secrets.token_hex(4)}",
            image=images,
            image_cache_size=20,
        )
    )
    return str(response.body.image_cache_id)


async def cache_status(eci_client: Client, region_id: str, cache_id: str) -> str:
    response = await eci_client.describe_image_caches_async(
        eci_models.DescribeImageCachesRequest(region_id=region_id, image_cache_id=cache_id)
    )
    caches = response.body.image_caches or []
    return str(caches[0].status) if caches else "Missing"


async def ready_cache(eci_client: Client, region_id: str, images: list[str]) -> str:
    cache_id = await create_cache(eci_client, region_id, images)

    async def ready() -> bool:
        status = await cache_status(eci_client, region_id, cache_id)
        assert status not in ("Failed", "Missing"), status
        return status == "Ready"

    await eventually(ready, deadline_seconds=20, what=f"image cache {cache_id} Ready")
    return cache_id
