"""Identity tests start with fresh sign-in and reset budgets (they are counted per minute and per hour)."""

from __future__ import annotations

import pytest
from rapport.kernel.settings import Settings
from redis.asyncio import Redis


@pytest.fixture(autouse=True)
async def fresh_auth_limits(migrated: Settings) -> None:
    redis = Redis.from_url(str(migrated.redis_url))
    try:
        for pattern in ("rapport:ratelimit:login:*", "rapport:ratelimit:reset:*"):
            for key in await redis.keys(pattern):
                await redis.delete(key)
    finally:
        await redis.aclose()
