"""Liveness (``/healthz``) and readiness (``/readyz``: PostgreSQL and Redis, each reported)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import msgspec
from litestar import Request, get
from litestar.response import Response
from redis.asyncio import Redis
from redis.exceptions import RedisError

from rapport.kernel.db import DatabaseUnreachable, check_database
from rapport.kernel.routes import NO_TENANT
from rapport.kernel.settings import Settings

__all__ = ["healthz", "readyz"]

CHECK_TIMEOUT = 2.0


class Check(msgspec.Struct):
    ok: bool
    ms: float
    error: str | None = None


class Readiness(msgspec.Struct):
    status: str
    checks: dict[str, Check]


async def _timed(name: str, probe: Any) -> tuple[str, Check]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(probe, timeout=CHECK_TIMEOUT)
    except (DatabaseUnreachable, RedisError, OSError, TimeoutError) as exc:
        error = str(exc) or type(exc).__name__
        return name, Check(ok=False, ms=round((time.perf_counter() - started) * 1000, 1), error=error)
    return name, Check(ok=True, ms=round((time.perf_counter() - started) * 1000, 1))


@get("/healthz", exclude_from_auth=True, opt=NO_TENANT, tags=["health"], summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/readyz",
    exclude_from_auth=True,
    opt=NO_TENANT,
    tags=["health"],
    summary="PostgreSQL and Redis are reachable",
)
async def readyz(request: Request[Any, Any, Any]) -> Response[Readiness]:
    settings: Settings = request.app.state.settings
    redis: Redis = request.app.state.redis
    results = await asyncio.gather(
        _timed("postgres", check_database(settings.dsn, connect_timeout=CHECK_TIMEOUT)),
        _timed("redis", redis.ping()),
    )
    checks = dict(results)
    ready = all(check.ok for check in checks.values())
    return Response(
        Readiness(status="ok" if ready else "unavailable", checks=checks),
        status_code=200 if ready else 503,
    )
