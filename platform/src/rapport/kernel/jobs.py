"""dramatiq on Redis: the broker every process (API, worker, scheduler) sets up at startup."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO

if TYPE_CHECKING:
    from rapport.kernel.modules import LoadedModules
    from rapport.kernel.settings import Settings

__all__ = ["NAMESPACE", "configure_broker", "import_actor_modules"]

NAMESPACE = "rapport-jobs"


def configure_broker(settings: Settings) -> RedisBroker:
    """Create the Redis broker, with async actors enabled, and make it dramatiq's global broker."""
    broker = RedisBroker(url=str(settings.redis_url), namespace=NAMESPACE)  # type: ignore[no-untyped-call]
    broker.add_middleware(AsyncIO())
    dramatiq.set_broker(broker)
    return broker


def import_actor_modules(loaded: LoadedModules) -> None:
    """Import each module's actor modules, which declares their actors on the current broker."""
    for module in loaded.modules:
        for path in module.actor_modules:
            importlib.import_module(path)
