"""Actors of the system module."""

from __future__ import annotations

import time

import dramatiq

from rapport.kernel.redis import WORKER_HEARTBEAT_KEY

__all__ = ["heartbeat"]


@dramatiq.actor(actor_name="system.heartbeat", max_retries=0, queue_name="system")
def heartbeat() -> None:
    """Record that a worker ran a job just now (shown by ``/api/v1/system/status``)."""
    broker = dramatiq.get_broker()
    broker.client.set(  # type: ignore[attr-defined]
        WORKER_HEARTBEAT_KEY, str(time.time())
    )
