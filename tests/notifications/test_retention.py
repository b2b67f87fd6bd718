"""Read notifications are deleted 90 days after they were read, by the daily prune through a real worker;
unread ones and recent ones stay, in every workspace."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from litestar.testing import AsyncTestClient
from rapport.kernel.jobs import NAMESPACE
from rapport.kernel.settings import Settings
from rapport.notifications.retention import tenants_to_prune

from tests.crm.conftest import worker  # noqa: F401 - a fixture
from tests.events.conftest import Processes, wait_until
from tests.factories import SignedUp
from tests.probe.fixtures import schema_of

Client = AsyncTestClient  # type: ignore[type-arg]
DAY = dt.timedelta(days=1)


async def _add(connection: asyncpg.Connection, schema: str, title: str, age: dt.timedelta | None) -> None:
    """A notification created 200 days ago and read ``age`` ago (None: unread)."""
    now = dt.datetime.now(dt.UTC)
    await connection.execute(
        f'INSERT INTO "{schema}".notifications (user_id, kind, title, dedupe_key, created_at, read_at) '
        "VALUES ($1, 'reminder', $2, $3, $4, $5)",
        uuid.uuid4(), title, f"test:{uuid.uuid4()}", now - 200 * DAY, None if age is None else now - age,
    )  # fmt: skip


async def _titles(connection: asyncpg.Connection, schema: str) -> set[str]:
    return {row["title"] for row in await connection.fetch(f'SELECT title FROM "{schema}".notifications')}


async def test_read_notifications_are_pruned_after_90_days_in_every_workspace(
    two_tenants: tuple[SignedUp, SignedUp],
    worker: Processes,  # noqa: F811 - the fixture imported above
    settings: Settings,
) -> None:
    connection = await asyncpg.connect(settings.dsn)
    broker = RedisBroker(url=str(settings.redis_url), namespace=NAMESPACE)
    try:
        first, second = [await schema_of(settings.dsn, each) for each in two_tenants]
        for schema in (first, second):
            await _add(connection, schema, "read long ago", 100 * DAY)
            await _add(connection, schema, "read lately", 10 * DAY)
            await _add(connection, schema, "never read", None)
        await _add(connection, first, "also read long ago", 91 * DAY)
        assert await tenants_to_prune(connection, [first, second]) == {first, second}

        tick = Message(queue_name="system", actor_name="notifications.prune", args=(), kwargs={}, options={})
        broker.enqueue(tick)

        async def pruned() -> bool:
            return not await tenants_to_prune(connection, [first, second])

        await wait_until(pruned, "both workspaces' old read notifications to go", worker, within=60)
        for schema in (first, second):
            assert await _titles(connection, schema) == {"read lately", "never read"}
    finally:
        await connection.close()
        broker.close()
