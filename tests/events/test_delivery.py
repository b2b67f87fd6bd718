"""Outbox → relay → dramatiq → consumers, with real processes: nothing lost, nothing applied twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from piccolo.engine.postgres import PostgresEngine
from rapport.events.outbox import NewEvent, emit_many
from rapport.kernel.devservices import EmbeddedRedis
from rapport_tenants.context import TenantContext, tenant_transaction

from tests.events.conftest import Processes, effects, prepare_tenants, wait_until
from tests.factories import sign_up


async def _contexts(database_url: str, slugs: list[str]) -> list[TenantContext]:
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT id, slug, schema_name, status FROM control.tenants WHERE slug = ANY($1)", slugs
        )
    finally:
        await connection.close()
    return [TenantContext(row["id"], row["slug"], row["schema_name"], row["status"]) for row in rows]


async def emit_interleaved(tenants: list[TenantContext], total: int, name: str = "probe.touched") -> None:
    """``total`` events spread over the tenants, 25 per transaction, tenants taking turns."""
    per_round = 25
    sent = 0
    while sent < total:
        for tenant in tenants:
            count = min(per_round, total - sent)
            if count <= 0:
                break
            async with tenant_transaction(tenant):
                await emit_many([NewEvent(name, "probe", i, {"n": [None, i]}) for i in range(count)])
            sent += count


@pytest.fixture
async def tenants(
    app_client: AsyncTestClient, database_url: str
) -> tuple[list[TenantContext], dict[str, str]]:  # type: ignore[type-arg]
    signed_up = [await sign_up(app_client) for _ in range(4)]
    schemas = await prepare_tenants(database_url, signed_up)
    return await _contexts(database_url, list(schemas)), schemas


def _exactly_once(found: dict[str, list[tuple[str, str]]], expected_total: int) -> None:
    rows = [row for per_tenant in found.values() for row in per_tenant]
    assert len(rows) == expected_total
    duplicates = [event for event, seen in Counter(event for event, _ in rows).items() if seen > 1]
    assert duplicates == []
    # Every effect ran with the context of the tenant whose schema it landed in.
    assert {slug: {ran_for for _, ran_for in rows} for slug, rows in found.items()} == {
        slug: {slug} for slug in found
    }


async def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(
    tenants: tuple[list[TenantContext], dict[str, str]],
    engine: PostgresEngine,
    processes: Processes,
    database_url: str,
) -> None:
    contexts, schemas = tenants
    await emit_interleaved(contexts, 5000)
    processes.env["PROBE_CONSUMER_SLEEP_MS"] = "30"
    processes.start("relay", "relay")
    processes.start("worker", "worker")

    async def some_done() -> bool:
        done = sum(len(rows) for rows in (await effects(database_url, schemas)).values())
        return done > 0

    await wait_until(some_done, "the first effects", processes)
    processes.kill("worker")  # SIGKILL to the whole process group, jobs in flight
    partial = sum(len(rows) for rows in (await effects(database_url, schemas)).values())
    assert partial < 5000
    processes.env["PROBE_CONSUMER_SLEEP_MS"] = "0"
    processes.start("worker", "worker")

    async def all_done() -> bool:
        return sum(len(rows) for rows in (await effects(database_url, schemas)).values()) >= 5000

    await wait_until(all_done, "all 5,000 effects", processes)
    await asyncio.sleep(3)  # longer than the heartbeat timeout: a late duplicate would show now
    _exactly_once(await effects(database_url, schemas), 5000)


async def test_a_redis_restart_during_processing_loses_nothing(
    tenants: tuple[list[TenantContext], dict[str, str]],
    engine: PostgresEngine,
    processes: Processes,
    events_redis: EmbeddedRedis,
    database_url: str,
) -> None:
    contexts, schemas = tenants
    await emit_interleaved(contexts, 2000)
    processes.env["PROBE_CONSUMER_SLEEP_MS"] = "20"
    processes.start("relay", "relay")
    processes.start("worker", "worker")

    async def some_done() -> bool:
        return sum(len(rows) for rows in (await effects(database_url, schemas)).values()) > 0

    await wait_until(some_done, "the first effects", processes)
    events_redis.stop()
    await emit_interleaved(contexts, 1000)  # written while Redis is away: the relay must hold them
    await asyncio.sleep(1)
    events_redis.start()

    async def all_done() -> bool:
        return sum(len(rows) for rows in (await effects(database_url, schemas)).values()) >= 3000

    await wait_until(all_done, "all 3,000 effects after the restart", processes, within=120)
    await asyncio.sleep(3)
    _exactly_once(await effects(database_url, schemas), 3000)


async def test_failed_jobs_reach_the_dead_letter_queue_and_can_be_retried(
    tenants: tuple[list[TenantContext], dict[str, str]],
    engine: PostgresEngine,
    processes: Processes,
    database_url: str,
) -> None:
    contexts, schemas = tenants
    first = contexts[0]
    async with tenant_transaction(first):
        await emit_many([NewEvent("poison.pill", "probe", i) for i in range(3)])
    processes.env["RAPPORT_JOB_MAX_RETRIES"] = "2"
    processes.start("relay", "relay")
    processes.start("worker", "worker")

    async def dead_lettered() -> bool:
        return "events.consume" in processes.cli("jobs", "failed")

    await wait_until(dead_lettered, "the poisoned job in the dead-letter queue", processes)
    listing = processes.cli("jobs", "failed")
    assert f"tenant={first.slug}" in listing
    assert "RuntimeError: probe_switch is off" in listing
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(f'INSERT INTO "{first.schema_name}".probe_switch VALUES (true)')
    finally:
        await connection.close()
    assert processes.cli("jobs", "retry", "--all").strip() == "retried 1 job"

    async def applied() -> bool:
        return len((await effects(database_url, schemas))[first.slug]) == 3

    await wait_until(applied, "the retried job's effects", processes)
    assert processes.cli("jobs", "failed").strip() == "no failed jobs"


async def test_events_commit_and_roll_back_with_their_change(
    tenants: tuple[list[TenantContext], dict[str, str]], engine: PostgresEngine, database_url: str
) -> None:
    contexts, _ = tenants
    tenant = contexts[0]
    with pytest.raises(RuntimeError, match="inside tenant_transaction"):
        await emit_many([NewEvent("probe.outside")])

    async def change_that_fails() -> None:
        async with tenant_transaction(tenant):
            await emit_many([NewEvent("probe.rolled_back")])
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await change_that_fails()
    async with tenant_transaction(tenant):
        (kept,) = await emit_many([NewEvent("probe.kept", "probe", 7, {"name": [None, "x"]})])
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT event_id, name, record_id, changes, published_at "
            f'FROM "{tenant.schema_name}".outbox_events'
        )
        other = await connection.fetchval(f'SELECT count(*) FROM "{contexts[1].schema_name}".outbox_events')
    finally:
        await connection.close()
    assert [(row["event_id"], row["name"], row["record_id"]) for row in rows] == [(kept, "probe.kept", "7")]
    assert rows[0]["published_at"] is None
    assert other == 0
