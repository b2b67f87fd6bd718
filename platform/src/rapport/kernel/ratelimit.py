"""Fixed-window rate limits in Redis; every key names what it limits (and the tenant, when there is one).

One ``INCR`` + ``EXPIRE`` round trip per request, shared by every API process. (Litestar's own limiter keeps
each request's timestamp per key and rewrites that list under a process-wide lock: its cost grows with the
traffic of the minute, and it keys on the client address alone.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from redis.asyncio import Redis

from rapport.kernel.errors import TooManyRequests

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["TENANT_SCOPE_KEY", "HttpRateLimitMiddleware", "enforce_rate_limit", "hit", "rate_limit_key"]

PREFIX = "rapport:ratelimit"
TENANT_SCOPE_KEY = "rapport_tenant"
"""Where the tenant middleware leaves the request's tenant in ``scope["state"]``."""
UNLIMITED_PATHS = ("/healthz", "/readyz")


# One round trip: count, start the window on the first hit, report what is left of it.
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('TTL', KEYS[1])}
"""


def rate_limit_key(scope: str, *parts: str) -> str:
    """``rapport:ratelimit:<scope>:<part>:…``, e.g. ``…:signup:ip:203.0.113.9``, ``…:http:t:<id>:ip:…``."""
    return ":".join((PREFIX, scope, *parts))


async def hit(redis: Redis, key: str, window_seconds: int) -> tuple[int, int]:
    """Count one hit on ``key``; return (hits so far, seconds until its window ends).

    The window starts at the key's first hit (the expiry is set only then), so it has no wall-clock edge.
    """
    count, ttl = await redis.eval(_HIT, 1, key, window_seconds)
    return int(count), max(1, int(ttl))


async def enforce_rate_limit(redis: Redis, key: str, limit: int, window_seconds: int) -> None:
    """Count a hit on ``key``; raise :class:`TooManyRequests` (with Retry-After) past ``limit`` per window."""
    count, reset = await hit(redis, key, window_seconds)
    if count > limit:
        raise TooManyRequests(
            f"Too many requests; try again in {reset} seconds.", headers={"Retry-After": str(reset)}
        )


def _client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class HttpRateLimitMiddleware(ASGIMiddleware):
    """Requests per minute per (tenant, client address): 429 past the limit, RateLimit-* headers always.

    Runs after the tenant middleware, so two tenants behind one address never share a budget.
    """

    scopes = (ScopeType.HTTP,)

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        return str(scope.get("path", "")) in UNLIMITED_PATHS

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        tenant: Any = scope.get("state", {}).get(TENANT_SCOPE_KEY)
        key = rate_limit_key("http", "t", str(tenant.id) if tenant else "-", "ip", _client_address(scope))
        redis: Redis = scope["app"].state.redis
        count, reset = await hit(redis, key, 60)
        if count > self.per_minute:
            raise TooManyRequests(
                f"Too many requests; try again in {reset} seconds.", headers={"Retry-After": str(reset)}
            )
        headers = [
            (b"ratelimit-limit", str(self.per_minute).encode()),
            (b"ratelimit-remaining", str(max(0, self.per_minute - count)).encode()),
            (b"ratelimit-reset", str(reset).encode()),
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await next_app(scope, receive, send_with_headers)
