"""The process's Redis client (asyncio) and the keys the kernel itself uses."""

from __future__ import annotations

from redis.asyncio import Redis

__all__ = ["SCHEDULER_TICK_KEY", "WORKER_HEARTBEAT_KEY", "create_pubsub_redis", "create_redis"]

WORKER_HEARTBEAT_KEY = "rapport:system:worker-heartbeat"
SCHEDULER_TICK_KEY = "rapport:system:scheduler-tick"


def create_redis(url: str) -> Redis:
    """A client with short timeouts, so a dead Redis fails a readiness check fast."""
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2, decode_responses=True)


def create_pubsub_redis(url: str) -> Redis:
    """A client for Pub/Sub: bytes as sent (Litestar's channels backend decodes them) and no read timeout,
    since a subscriber waits for messages; a health check every 30 s finds a dead connection."""
    return Redis.from_url(url, socket_connect_timeout=2, health_check_interval=30)
