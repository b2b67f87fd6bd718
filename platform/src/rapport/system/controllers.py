"""``/api/v1/system``: what this deployment runs, and whether its worker and scheduler are alive."""

from __future__ import annotations

import time
from typing import Any

import msgspec
from litestar import Controller, Request, get
from redis.asyncio import Redis

from rapport import __version__
from rapport.kernel.modules import LoadedModules
from rapport.kernel.redis import SCHEDULER_TICK_KEY, WORKER_HEARTBEAT_KEY
from rapport.kernel.routes import NO_TENANT

__all__ = ["SystemController"]


class ModuleFailure(msgspec.Struct):
    module: str
    reason: str


class SystemStatus(msgspec.Struct):
    version: str
    modules: list[str]
    module_failures: list[ModuleFailure]
    worker_heartbeat_age_s: float | None
    scheduler_tick_age_s: float | None


def _age(value: bytes | str | None) -> float | None:
    return None if value is None else round(max(0.0, time.time() - float(value)), 1)


class SystemController(Controller):
    path = "/api/v1/system"
    tags = ["system"]
    opt = NO_TENANT

    @get("/status", exclude_from_auth=True, summary="Version, loaded modules, worker and scheduler liveness")
    async def status(self, request: Request[Any, Any, Any]) -> SystemStatus:
        loaded: LoadedModules = request.app.state.modules
        redis: Redis = request.app.state.redis
        heartbeat, tick = await redis.mget(WORKER_HEARTBEAT_KEY, SCHEDULER_TICK_KEY)
        return SystemStatus(
            version=__version__,
            modules=loaded.names(),
            module_failures=[ModuleFailure(module=name, reason=reason) for name, reason in loaded.failures],
            worker_heartbeat_age_s=_age(heartbeat),
            scheduler_tick_age_s=_age(tick),
        )
