"""Fixed-window rate limits in Redis; every key names what it limits (and the tenant, when there is one)."""

from __future__ import annotations

from redis.asyncio import Redis

from rapport.kernel.errors import TooManyRequests

__all__ = ["enforce_rate_limit", "rate_limit_key"]

PREFIX = "rapport:ratelimit"


def rate_limit_key(scope: str, *parts: str) -> str:
    """``rapport:ratelimit:<scope>:<part>:…``, e.g. ``…:signup:ip:203.0.113.9``, ``…:t:<tenant id>:ip:…``."""
    return ":".join((PREFIX, scope, *parts))


async def enforce_rate_limit(redis: Redis, key: str, limit: int, window_seconds: int) -> None:
    """Count a hit on ``key``; raise :class:`TooManyRequests` (with Retry-After) past ``limit`` per window."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, window_seconds, nx=True)
        pipe.ttl(key)
        count, _, ttl = await pipe.execute()
    if int(count) > limit:
        retry_after = max(int(ttl), 1)
        raise TooManyRequests(
            f"Too many attempts; try again in {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )
