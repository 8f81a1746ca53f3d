"""ClientTokens as the store keeps them: scoped to their region.

ECI's idempotency is per region: one `ClientToken` may make one container
group (or image cache) in cn-hangzhou and another in cn-beijing. The stored
column is unique, so the token is stored as `<region>/<token>` and looked up
the same way by every operation that honours it.
"""

from __future__ import annotations


def scoped_token(region_id: str, token: str) -> str:
    """The stored form of `token` sent with a call in `region_id`."""
    return f"{region_id}/{token}"
