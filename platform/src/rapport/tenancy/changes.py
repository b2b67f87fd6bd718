"""Tenant changes announced to every process, so cached tenant lookups never outlive a suspension.

The channel is a control-plane one (it carries tenant ids, never tenant data). A process that missed a
message (Redis restarting) still drops its cached lookups within ``RAPPORT_TENANT_CACHE_SECONDS``.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

import structlog
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from redis.exceptions import RedisError

if TYPE_CHECKING:
    from rapport.tenancy.middleware import TenantResolver

__all__ = ["CHANNEL", "announce_change", "announce_change_sync", "listen_for_changes"]

CHANNEL = "rapport:control:tenant-changed"
POLL_SECONDS = 0.25
"""How long a stopping process may wait for its listener; an idle poll sends nothing to Redis."""
log = structlog.get_logger(__name__)


async def announce_change(redis: Redis, tenant_id: uuid.UUID) -> None:
    """Tell every API process that ``tenant_id``'s status or domains changed."""
    try:
        await redis.publish(CHANNEL, str(tenant_id))
    except RedisError as exc:  # the change is committed; caches expire on their own
        log.warning("tenant_change_not_announced", tenant_id=str(tenant_id), error=str(exc))


def announce_change_sync(redis_url: str, tenant_id: uuid.UUID) -> None:
    """The same, for the CLI."""
    client = SyncRedis.from_url(redis_url)
    try:
        client.publish(CHANNEL, str(tenant_id))
    except RedisError as exc:
        log.warning("tenant_change_not_announced", tenant_id=str(tenant_id), error=str(exc))
    finally:
        client.close()


async def listen_for_changes(
    redis_url: str, resolver: TenantResolver, stop: asyncio.Event, retry_seconds: float = 1.0
) -> None:
    """Forget cached lookups of each announced tenant until ``stop`` is set.

    On a lost connection: forget everything and subscribe again. Polls with a short timeout rather
    than being cancelled (cancelling a pending pub/sub read can leave the client's lock held). Uses its own
    client: the request client's short socket timeout would end an idle subscription.
    """
    redis = Redis.from_url(redis_url, socket_connect_timeout=2, health_check_interval=30)
    try:
        while not stop.is_set():
            try:
                await _follow(redis, resolver, stop)
            except (RedisError, OSError, ValueError) as exc:
                log.warning("tenant_change_listener_reconnecting", error=str(exc))
                await asyncio.sleep(retry_seconds)
    finally:
        await redis.aclose()


async def _follow(redis: Redis, resolver: TenantResolver, stop: asyncio.Event) -> None:
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(CHANNEL)
        resolver.forget()  # anything announced while we were not listening
        while not stop.is_set():
            message = await pubsub.get_message(timeout=POLL_SECONDS)
            if message is not None and message["type"] == "message":
                resolver.forget_tenant(uuid.UUID(bytes(message["data"]).decode()))
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]
