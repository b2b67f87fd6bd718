"""The outbox relay (``rapport relay``): publishes committed events to dramatiq, then marks them published.

Latency comes from ``LISTEN rapport_outbox``: each committing transaction that emitted events notifies its
tenant's schema, and the relay drains that schema at once. Safety comes from a sweep every
``relay_poll_seconds`` over every tenant (notifications are lost while the relay is down or reconnecting).

Draining a schema: lock a batch of unpublished events (``FOR UPDATE SKIP LOCKED``, so several relays
share the work), send one ``events.consume`` message per interested consumer, mark the batch published,
commit. If the relay dies between send and commit the batch is sent again later: consumers are
idempotent. If Redis is down the send fails, the transaction rolls back and nothing is marked.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable

import asyncpg
import dramatiq
import structlog
from rapport_tenants.context import TenantContext
from rapport_tenants.names import check_schema_name
from redis.exceptions import RedisError

from rapport.events.consumers import EventConsumer
from rapport.events.outbox import CHANNEL
from rapport.kernel.jobs import send_for_tenant
from rapport.kernel.settings import Settings

__all__ = ["Relay"]

log = structlog.get_logger(__name__)
SWEEP_CHUNK = 200
"""Tenant schemas checked per sweep query."""


class Relay:
    def __init__(self, settings: Settings, consumers: Iterable[EventConsumer]) -> None:
        self.settings = settings
        self.consumers = list(consumers)
        self.dirty: set[str] = set()
        self.wake = asyncio.Event()
        self.tenants: dict[str, TenantContext] = {}
        self.published = 0
        self.pool: asyncpg.Pool | None = None

    def _notified(self, _connection: object, _pid: int, _channel: str, schema: str) -> None:
        self.dirty.add(schema)
        self.wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        self.pool = await asyncpg.create_pool(
            self.settings.dsn, min_size=1, max_size=4, server_settings={"search_path": ""}
        )
        try:
            while not stop.is_set():
                try:
                    await self._listen_and_relay(stop)
                except (
                    OSError,
                    asyncpg.PostgresError,
                    asyncpg.InterfaceError,
                    RedisError,
                    dramatiq.DramatiqError,
                ) as exc:
                    log.warning("relay_reconnecting", error=str(exc))
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), 1.0)
        finally:
            await self.pool.close()

    async def _listen_and_relay(self, stop: asyncio.Event) -> None:
        listener = await asyncpg.connect(self.settings.dsn, server_settings={"search_path": ""})
        try:
            await listener.add_listener(CHANNEL, self._notified)
            log.info("relay_listening", channel=CHANNEL)
            next_sweep = 0.0  # sweep at once: notifications sent while we were away are lost
            while not stop.is_set():
                if time.monotonic() >= next_sweep:
                    self.dirty |= await self.pending_schemas()
                    next_sweep = time.monotonic() + self.settings.relay_poll_seconds
                await self.drain_dirty()
                if listener.is_closed():
                    raise asyncpg.InterfaceError("the LISTEN connection closed")
                self.wake.clear()
                if not self.dirty:
                    timeout = max(0.0, next_sweep - time.monotonic())
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake_or_stop(stop), timeout)
        finally:
            with contextlib.suppress(Exception):
                await listener.close()

    async def _wake_or_stop(self, stop: asyncio.Event) -> None:
        waits = [asyncio.ensure_future(self.wake.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def _tenant(self, schema: str) -> TenantContext | None:
        if schema not in self.tenants:
            assert self.pool is not None
            rows = await self.pool.fetch(
                "SELECT id, slug, schema_name, status FROM control.tenants WHERE status <> 'deleting'"
            )
            self.tenants = {
                row["schema_name"]: TenantContext(row["id"], row["slug"], row["schema_name"], row["status"])
                for row in rows
            }
        return self.tenants.get(schema)

    async def pending_schemas(self) -> set[str]:
        """Tenant schemas with unpublished events (the sweep), a chunk of schemas per query."""
        assert self.pool is not None
        schemas = [
            row["schema_name"]
            for row in await self.pool.fetch("SELECT schema_name FROM control.tenants ORDER BY schema_name")
        ]
        pending: set[str] = set()
        for start in range(0, len(schemas), SWEEP_CHUNK):
            chunk = [check_schema_name(schema) for schema in schemas[start : start + SWEEP_CHUNK]]
            query = " UNION ALL ".join(
                f"SELECT '{schema}' AS s WHERE EXISTS "  # schema names checked above
                f'(SELECT 1 FROM "{schema}".outbox_events WHERE published_at IS NULL)'
                for schema in chunk
            )
            with contextlib.suppress(asyncpg.UndefinedTableError):  # a tenant being provisioned
                pending |= {row["s"] for row in await self.pool.fetch(query)}
        return pending

    async def drain_dirty(self) -> None:
        while self.dirty:
            schema = self.dirty.pop()
            tenant = await self._tenant(schema)
            if tenant is None:
                continue
            while await self.publish_batch(tenant) == self.settings.relay_batch:
                pass

    async def publish_batch(self, tenant: TenantContext) -> int:
        """Publish up to ``relay_batch`` of the tenant's oldest unpublished events; how many."""
        assert self.pool is not None
        schema = check_schema_name(tenant.schema_name)
        async with self.pool.acquire() as connection, connection.transaction():
            rows = await connection.fetch(
                f'SELECT id, name FROM "{schema}".outbox_events WHERE published_at IS NULL '
                "ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
                self.settings.relay_batch,
            )
            if not rows:
                return 0
            consume = dramatiq.get_broker().get_actor("events.consume")
            for consumer in self.consumers:
                wanted = [row["id"] for row in rows if consumer.wants(row["name"])]
                if wanted:
                    send_for_tenant(tenant, consume, consumer.name, wanted)
            await connection.execute(
                f'UPDATE "{schema}".outbox_events SET published_at = now() WHERE id = ANY($1::bigint[])',
                [row["id"] for row in rows],
            )
        self.published += len(rows)
        return len(rows)
