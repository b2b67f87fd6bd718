"""The per-request limit leases numbered slots from Redis: few round trips, and never more than the limit."""

from __future__ import annotations

import asyncio

from litestar.testing import AsyncTestClient
from rapport.app import create_app
from rapport.kernel.ratelimit import HttpRateLimitMiddleware, rate_limit_key
from rapport.kernel.settings import Settings
from redis.asyncio import Redis

from tests.conftest import make_settings
from tests.factories import sign_up


async def _clear(redis: Redis) -> None:
    for key in await redis.keys("rapport:ratelimit:http*"):
        await redis.delete(key)


async def _counted(redis: Redis, tenant_id: object) -> int:
    keys = [key for key in await redis.keys(f"rapport:ratelimit:http:t:{tenant_id}:*")]
    assert len(keys) == 1, keys
    return int(await redis.get(keys[0]) or 0)


async def test_a_process_leases_slots_and_hands_them_out_locally(migrated: Settings) -> None:
    settings = make_settings(str(migrated.database_url), str(migrated.redis_url), rate_limit_per_minute=400)
    redis = Redis.from_url(str(migrated.redis_url))
    try:
        async with AsyncTestClient(app=create_app(settings)) as client:
            tenant = await sign_up(client)
            await _clear(redis)
            remaining = []
            for _ in range(10):
                response = await client.get("/api/v1/workspace", headers={"x-tenant": tenant.slug})
                assert response.status_code == 200
                remaining.append(int(response.headers["ratelimit-remaining"]))
            assert remaining == list(range(399, 389, -1))
            assert await _counted(redis, tenant.id) == 10  # one lease of 10 (400 // 40) for ten requests
            eleventh = await client.get("/api/v1/workspace", headers={"x-tenant": tenant.slug})
            assert eleventh.headers["ratelimit-remaining"] == "389"
            assert await _counted(redis, tenant.id) == 20
            assert 1 <= int(eleventh.headers["ratelimit-reset"]) <= 60
    finally:
        await redis.aclose()


async def test_processes_sharing_a_budget_never_let_more_than_the_limit_through(migrated: Settings) -> None:
    # Two middleware instances stand for two API processes (one app per process: one engine per process).
    first, second = HttpRateLimitMiddleware(80), HttpRateLimitMiddleware(80)
    assert first.lease_size == 2
    redis = Redis.from_url(str(migrated.redis_url))
    key = rate_limit_key("http", "t", "lease-test", "ip", "203.0.113.7")
    try:
        await redis.delete(key)
        numbers = []
        for turn in range(100):
            process = first if turn % 3 else second  # uneven, so each process holds part of a lease
            number, reset = await process._number(redis, key)
            assert 1 <= reset <= 60
            numbers.append(number)
        admitted = [number for number in numbers if number <= 80]
        assert sorted(admitted) == list(range(1, 81))  # each number once, in whichever process leased it
        assert int(await redis.get(key) or 0) >= 100
    finally:
        await redis.delete(key)
        await redis.aclose()


async def test_a_window_without_an_end_gets_one(migrated: Settings) -> None:
    """A count left without an expiry (an interrupted write, an old deploy) must not block for ever."""
    limiter = HttpRateLimitMiddleware(400)
    redis = Redis.from_url(str(migrated.redis_url))
    key = rate_limit_key("http", "t", "no-expiry", "ip", "203.0.113.8")
    try:
        await redis.set(key, 5)
        number, reset = await limiter._number(redis, key)
        assert number == 6
        assert 1 <= reset <= 60
        assert 0 < await redis.ttl(key) <= 60
    finally:
        await redis.delete(key)
        await redis.aclose()


async def test_requests_arriving_together_share_one_lease(migrated: Settings) -> None:
    """A page load's parallel requests wait for the lease one of them is taking (none wastes a block)."""
    limiter = HttpRateLimitMiddleware(400)  # leases of 10
    redis = Redis.from_url(str(migrated.redis_url))
    key = rate_limit_key("http", "t", "together", "ip", "203.0.113.9")
    try:
        await redis.delete(key)
        taken = await asyncio.gather(*(limiter._number(redis, key) for _ in range(25)))
        assert sorted(number for number, _ in taken) == list(range(1, 26))
        assert int(await redis.get(key) or 0) == 30  # three leases of 10
    finally:
        await redis.delete(key)
        await redis.aclose()
