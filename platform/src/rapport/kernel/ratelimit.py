"""Fixed-window rate limits in Redis; every key names what it limits (and the tenant, when there is one)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis

from rapport.kernel.errors import TooManyRequests

__all__ = [
    "HTTP_RATE_LIMIT_STORE",
    "enforce_rate_limit",
    "http_rate_limit",
    "http_rate_limit_store",
    "rate_limit_key",
]

HTTP_RATE_LIMIT_STORE = "rate_limit"
TENANT_SCOPE_KEY = "rapport_tenant"

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


def _request_identifier(request: Request[Any, Any, Any]) -> str:
    # Litestar keys on the client address alone; two tenants behind one NAT must not share a budget.
    tenant = request.scope.get("state", {}).get(TENANT_SCOPE_KEY)
    address = request.client.host if request.client else "unknown"
    return f"t:{tenant.id if tenant is not None else '-'}:ip:{address}"


def http_rate_limit(per_minute: int) -> RateLimitConfig:
    """Each request counts against (tenant, client address) per minute, in Redis (shared by processes)."""
    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        identifier_for_request=_request_identifier,
        store=HTTP_RATE_LIMIT_STORE,
        exclude=["^/healthz", "^/readyz"],
    )


def http_rate_limit_store(redis_url: str) -> RedisStore:
    return RedisStore.with_client(url=redis_url, namespace=PREFIX + ":http")
