"""An import whose worker dies mid-run is settled as failed (nothing written), not left running forever.

Its own module: the test kills this module's worker.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from typing import Any

import asyncpg
import pytest
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from litestar.testing import AsyncTestClient
from rapport.crm.import_run import execute_import
from rapport.crm.imports import run_lock
from rapport.kernel.db import create_engine, install_engine
from rapport.kernel.files import file_store
from rapport.kernel.jobs import NAMESPACE
from rapport.kernel.settings import Settings

from tests.crm.test_imports import _contacts, _csv, _upload, running_big_import
from tests.events.conftest import Processes
from tests.factories import sign_up
from tests.probe.fixtures import schema_of, sign_in, tenant_context

Client = AsyncTestClient  # type: ignore[type-arg]


async def _state(client: Client, headers: dict[str, str], import_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/v1/imports/{import_id}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_an_import_whose_worker_died_is_settled_as_failed(
    app_client: Client, worker: Processes
) -> None:
    admin, seen = await running_big_import(app_client)
    uploaded = seen
    # Alive: its run holds the lock, so reading it (which settles stopped runs) leaves it running.
    assert (await _state(app_client, admin, uploaded["id"]))["status"] == "running"

    worker.kill("worker")  # SIGKILL to the worker and its processes: no rollback handler, no status write
    final: dict[str, Any] = {}
    for _ in range(300):  # PostgreSQL ends the dead client's transaction once it notices the closed socket
        final = await _state(app_client, admin, uploaded["id"])
        if final["status"] != "running":
            break
        await asyncio.sleep(0.05)
    assert final["status"] == "failed", final
    assert "stopped before it finished" in final["error"]
    assert final["finished_at"] is not None
    assert await _contacts(app_client, admin) == []
    listed = (await app_client.get("/api/v1/imports", headers=admin)).json()["items"]
    assert [(item["id"], item["status"]) for item in listed] == [(uploaded["id"], "failed")]
    again = await app_client.post(f"/api/v1/imports/{uploaded['id']}/cancel", headers=admin)
    assert again.status_code == 409


async def test_a_stopped_import_nobody_reads_is_settled_by_the_sweep(
    app_client: Client, worker: Processes, settings: Settings
) -> None:
    """Reading an import settles it; the ten-minute sweep settles those nobody reads and drops their file.
    Only the dead run is touched: another workspace's import waiting for its mapping stays as it is."""
    if "worker" not in worker.running:  # the test above kills it
        worker.start("worker", "worker")
    other = await sign_up(app_client)
    other_admin = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    waiting = await _upload(app_client, other_admin, _csv([["Email"], ["x@example.com"]]))
    admin, seen = await running_big_import(app_client)
    worker.kill("worker")
    worker.start("worker", "worker")  # to run the sweep
    broker = RedisBroker(url=str(settings.redis_url), namespace=NAMESPACE)
    tick = Message(
        queue_name="system", actor_name="crm.settle_stopped_imports", args=(), kwargs={}, options={}
    )
    connection = await asyncpg.connect(settings.dsn)
    try:
        schemas = {
            row["slug"]: row["schema_name"]
            for row in await connection.fetch("SELECT slug, schema_name FROM control.tenants")
        }
        query = 'SELECT status, error, file_key FROM "{}".imports WHERE id = $1'
        row = await connection.fetchrow(query.format(schemas[admin["x-tenant"]]), seen["id"])
        deadline = time.monotonic() + 60
        while row["status"] == "running" and time.monotonic() < deadline:  # SQL: the API would settle it
            broker.enqueue(tick)
            await asyncio.sleep(0.5)
            row = await connection.fetchrow(query.format(schemas[admin["x-tenant"]]), seen["id"])
        assert row["status"] == "failed", (dict(row), worker.log("worker"))
        assert "stopped before it finished" in row["error"]
        untouched = await connection.fetchrow(query.format(schemas[other.slug]), waiting["id"])
        assert untouched["status"] == "uploaded"
    finally:
        await connection.close()
        broker.close()
    store = file_store(settings)
    with pytest.raises(FileNotFoundError):
        async with store.reading(row["file_key"]):
            pass
    async with store.reading(untouched["file_key"]):
        pass
    assert await _contacts(app_client, admin) == []


async def test_a_claimed_import_that_never_took_its_lock_is_settled_after_an_hour(
    app_client: Client, settings: Settings
) -> None:
    """A worker that died between claiming an import and taking its run's lock leaves it ``running`` with
    no phase; such an import is left alone for an hour (its run may still be starting), then settled."""
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    recent, old = [
        (await _upload(app_client, admin, _csv([["Email"], [f"{n}@example.com"]])))["id"] for n in (1, 2)
    ]
    connection = await asyncpg.connect(settings.dsn)
    try:
        schema = await schema_of(settings.dsn, tenant)
        claim = (
            f"UPDATE \"{schema}\".imports SET status = 'running', phase = '', "
            "started_at = now() - $2::interval WHERE id = $1"
        )
        await connection.execute(claim, recent, dt.timedelta(minutes=50))
        await connection.execute(claim, old, dt.timedelta(minutes=61))
    finally:
        await connection.close()
    assert (await _state(app_client, admin, recent))["status"] == "running"
    settled = await _state(app_client, admin, old)
    assert settled["status"] == "failed"
    assert "stopped before it finished" in settled["error"]
    assert (await _state(app_client, admin, recent))["status"] == "running"


async def test_a_run_waiting_for_its_lock_while_a_reader_settles_it_writes_nothing(
    app_client: Client, settings: Settings
) -> None:
    """The run takes its lock after its claim. If a reader holds that lock and settles the import meanwhile,
    the run finds it no longer running once it gets the lock, and leaves it as the reader did."""
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    uploaded = await _upload(app_client, admin, _csv([["Email"], ["waiting@example.com"]]))
    reader = await asyncpg.connect(settings.dsn)
    watcher = await asyncpg.connect(settings.dsn)
    engine = create_engine(settings.dsn)  # the run in this process, as a worker runs it
    install_engine(engine)
    await engine.start_connection_pool(min_size=1, max_size=4)
    try:
        context = await tenant_context(settings.dsn, tenant)
        imports = f'"{context.schema_name}".imports'
        state = f"SELECT status, phase, error FROM {imports} WHERE id = $1"
        await reader.execute(
            f"UPDATE {imports} SET status = 'queued', mapping = $2::jsonb WHERE id = $1",
            uploaded["id"], json.dumps({"Email": "email"}),
        )  # fmt: skip
        settle = reader.transaction()
        await settle.start()
        await reader.execute(f"SELECT pg_advisory_xact_lock({run_lock('$1', '$2::bigint')})",
                             context.schema_name, uploaded["id"])  # fmt: skip
        run = asyncio.create_task(execute_import(context, uploaded["id"]))

        async def waiting_for_the_lock() -> bool:
            return bool(await watcher.fetchval(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted)"
            ))  # fmt: skip

        for _ in range(200):
            if await waiting_for_the_lock():
                break
            await asyncio.sleep(0.05)
        assert await waiting_for_the_lock()
        assert (await watcher.fetchrow(state, uploaded["id"]))["status"] == "running"  # claimed
        await reader.execute(
            f"UPDATE {imports} SET status = 'failed', error = 'settled by the reader' WHERE id = $1",
            uploaded["id"],
        )
        await settle.commit()
        await asyncio.wait_for(run, timeout=30)
        final = await watcher.fetchrow(state, uploaded["id"])
        assert dict(final) == {"status": "failed", "phase": "", "error": "settled by the reader"}
        contacts = f'SELECT count(*) FROM "{context.schema_name}".contacts'
        assert await watcher.fetchval(contacts) == 0
    finally:
        await engine.close_connection_pool()
        await reader.close()
        await watcher.close()
