"""Rate-limit keys carry the tenant: one tenant exhausting its budget leaves another's untouched."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from rapport.app import create_app
from rapport.kernel.settings import Settings
from redis.asyncio import Redis

from tests.conftest import make_settings
from tests.factories import sign_up


async def test_http_rate_limit_is_per_tenant(migrated: Settings) -> None:
    limited = make_settings(str(migrated.database_url), str(migrated.redis_url), rate_limit_per_minute=3)
    redis = Redis.from_url(str(migrated.redis_url))
    # Earlier tests' tenant-free requests (signups) from the same test client count in this minute.
    for key in await redis.keys("rapport:ratelimit:http*"):
        await redis.delete(key)
    async with AsyncTestClient(app=create_app(limited)) as client:
        first = await sign_up(client)
        second = await sign_up(client)
        statuses = [
            (await client.get("/api/v1/workspace", headers={"x-tenant": first.slug})).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        other = await client.get("/api/v1/workspace", headers={"x-tenant": second.slug})
        assert other.status_code == 200
        assert other.headers["ratelimit-remaining"] == "2"
    try:
        keys = [key.decode() for key in await redis.keys("rapport:ratelimit:http*")]
    finally:
        await redis.aclose()
    for tenant_id in (first.id, second.id):
        assert any(str(tenant_id) in key for key in keys), keys
