"""Fixed-window rate limits in Redis; every key names what it limits (and the tenant, when there is one).

Limits on rare, sensitive actions (sign-in, signup, resets) count every hit in Redis. The per-request HTTP
limit leases its budget instead: a process takes a few numbered slots at once (``INCRBY``) and hands them
out locally, so most requests make no Redis round trip. (Litestar's own limiter keeps each request's
timestamp per key and rewrites that list under a process-wide lock: its cost grows with the traffic of the
minute, and it keys on the client address alone.)
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
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
MAX_LEASE = 32
"""Most slots one process takes of a key's budget at once (at most ``limit // 40``)."""
MAX_LEASED_KEYS = 10_000
"""Leases one process keeps; past this, ended ones are dropped (then all: a lost lease only costs slots)."""


# One round trip: take ARGV[2] numbered slots, start the window if it has none, say how long it lasts (ms).
_LEASE = """
local total = redis.call('INCRBY', KEYS[1], ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
    left = ARGV[1] * 1000
end
return {total, left}
"""


def rate_limit_key(scope: str, *parts: str) -> str:
    """``rapport:ratelimit:<scope>:<part>:…``, e.g. ``…:signup:ip:203.0.113.9``, ``…:http:t:<id>:ip:…``."""
    return ":".join((PREFIX, scope, *parts))


async def hit(redis: Redis, key: str, window_seconds: int) -> tuple[int, int]:
    """Count one hit on ``key``; return (hits so far, seconds until its window ends).

    The window starts at the key's first hit (the expiry is set only then), so it has no wall-clock edge.
    """
    count, left_ms = await redis.eval(_LEASE, 1, key, window_seconds, 1)
    return int(count), max(1, math.ceil(int(left_ms) / 1000))


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


@dataclass(slots=True)
class _Lease:
    next: int
    last: int
    ends: float  # time.monotonic()


class HttpRateLimitMiddleware(ASGIMiddleware):
    """Requests per minute per (tenant, client address): 429 past the limit, RateLimit-* headers always.

    Runs after the tenant middleware, so two tenants behind one address never share a budget.

    The window's requests are numbered in Redis across every API process, and the one numbered past the
    limit is refused, so no more than the limit ever gets through. A process leases up to
    :data:`MAX_LEASE` numbers at once and uses them for its next requests on that key: one Redis round trip
    per lease instead of per request. Numbers a process leased but did not use before the window ended are
    lost, so a client spread over several processes may be refused a little early, never late; a limit
    under 80 leases one number at a time (exact).
    """

    scopes = (ScopeType.HTTP,)

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.lease_size = max(1, min(per_minute // 40, MAX_LEASE))
        self._leases: dict[str, _Lease] = {}
        self._taking: dict[str, asyncio.Future[None]] = {}

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        return str(scope.get("path", "")) in UNLIMITED_PATHS

    async def _number(self, redis: Redis, key: str) -> tuple[int, int]:
        """This request's number in the key's window, and the seconds until the window ends.

        One lease at a time per key: requests arriving while it is taken wait for it (a page load's
        parallel requests would otherwise each lease, and waste, a block of slots).
        """
        while True:
            now = time.monotonic()
            lease = self._leases.get(key)
            if lease is not None and lease.next <= lease.last and now < lease.ends:
                number = lease.next
                lease.next += 1
                return number, max(1, math.ceil(lease.ends - now))
            taking = self._taking.get(key)
            if taking is not None:
                await asyncio.shield(taking)
                continue
            self._taking[key] = taking = asyncio.get_running_loop().create_future()
            try:
                total, left_ms = await redis.eval(_LEASE, 1, key, 60, self.lease_size)
                total = int(total)
                if len(self._leases) >= MAX_LEASED_KEYS:
                    self._forget_ended(now)
                ends = time.monotonic() + max(1, int(left_ms)) / 1000
                self._leases[key] = _Lease(total - self.lease_size + 1, total, ends)
            finally:
                del self._taking[key]
                taking.set_result(None)

    def _forget_ended(self, now: float) -> None:
        for key in [key for key, lease in self._leases.items() if lease.ends <= now]:
            del self._leases[key]
        if len(self._leases) >= MAX_LEASED_KEYS:
            self._leases.clear()

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        tenant: Any = scope.get("state", {}).get(TENANT_SCOPE_KEY)
        key = rate_limit_key("http", "t", str(tenant.id) if tenant else "-", "ip", _client_address(scope))
        count, reset = await self._number(scope["app"].state.redis, key)
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
