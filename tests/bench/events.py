"""Events: outbox → relay → dramatiq → a no-op consumer, throughput and commit-to-consumer latency.

Against a throwaway PostgreSQL and Redis, with real ``rapport relay`` and ``rapport worker`` processes
and a no-op consumer (``tests.bench.noop_events``, installed as a distribution). The consumer still
claims each event (a receipt row per event, the idempotency every consumer pays).

1. Saturation: a producer in this process writes events as fast as it can (transactions of 100 events,
   10 tenants taking turns) for ``--seconds``; events consumed per second over that window.
2. Paced: the producer holds 5,000 events/s (one 100-event transaction every 20 ms) for ``--seconds``;
   latency from the event's commit to its consumer's claim, p50 and p99, from the database's own clocks
   (``outbox_events.occurred_at`` is the transaction's start; the claim is ``clock_timestamp()``).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from rapport.events.outbox import NewEvent, emit_many
from rapport.kernel.db import create_engine, install_engine
from rapport_tenants.context import TenantContext, tenant_transaction
from rapport_tenants.template import latest_template

from tests.bench.harness import Result, report, rss_mb, services
from tests.bench.tenancy import migrate_database, provision_tenants

__all__ = ["run"]

TENANTS = 10
PER_TRANSACTION = 100
PACED_RATE = 5_000
REPO = Path(__file__).resolve().parents[2]


@contextmanager
def pipeline(env: dict[str, str], folder: Path) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """Relay and worker processes with the no-op consumer installed."""
    dist = folder / "rapport_bench_events-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: rapport-bench-events\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[rapport.modules]\nbench_events = tests.bench.noop_events:module\n"
    )
    env = {**env, "PYTHONPATH": os.pathsep.join([str(folder), str(REPO)]), "RAPPORT_WORKER_THREADS": "8"}
    processes = {
        name: subprocess.Popen([sys.executable, "-m", "rapport", *args], env=env, start_new_session=True)
        for name, args in (("relay", ["relay"]), ("worker", ["worker"]))
    }
    try:
        yield processes
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=60)


async def tenants(dsn: str) -> list[TenantContext]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT id, slug, schema_name, status FROM control.tenants ORDER BY slug"
        )
    finally:
        await connection.close()
    return [TenantContext(row["id"], row["slug"], row["schema_name"], row["status"]) for row in rows]


async def produce(contexts: list[TenantContext], seconds: float, rate: float | None) -> int:
    """Emit events for ``seconds``; at ``rate`` events/s when given, else as fast as possible. How many."""
    batch = [NewEvent("bench.ping", "bench", i) for i in range(PER_TRANSACTION)]
    interval = PER_TRANSACTION / rate if rate else 0.0
    emitted = 0
    started = time.perf_counter()
    turn = 0

    async def one(tenant: TenantContext) -> None:
        async with tenant_transaction(tenant):
            await emit_many(batch)

    while time.perf_counter() - started < seconds:
        due = started + (emitted // PER_TRANSACTION) * interval
        if rate and due > time.perf_counter():
            await asyncio.sleep(due - time.perf_counter())
        # Four transactions in flight, as several API processes would write.
        await asyncio.gather(*(one(contexts[(turn + i) % len(contexts)]) for i in range(4)))
        turn += 4
        emitted += 4 * PER_TRANSACTION
    return emitted


async def consumed(dsn: str, contexts: list[TenantContext]) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        total = 0
        for tenant in contexts:
            total += await connection.fetchval(f'SELECT count(*) FROM "{tenant.schema_name}".event_receipts')
        return total
    finally:
        await connection.close()


async def wait_consumed(dsn: str, contexts: list[TenantContext], target: int, within: float = 300) -> float:
    """Seconds until ``target`` receipts exist."""
    started = time.perf_counter()
    while await consumed(dsn, contexts) < target:
        if time.perf_counter() - started > within:
            raise TimeoutError(f"consumers did not reach {target} events in {within} s")
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


async def latencies(dsn: str, contexts: list[TenantContext], after: float) -> list[float]:
    """Commit-to-claim seconds of every event emitted after ``after`` (epoch seconds)."""
    connection = await asyncpg.connect(dsn)
    try:
        found: list[float] = []
        for tenant in contexts:
            found += [
                row["s"]
                for row in await connection.fetch(
                    "SELECT extract(epoch FROM r.processed_at - o.occurred_at)::float8 AS s "
                    f'FROM "{tenant.schema_name}".outbox_events o '
                    f'JOIN "{tenant.schema_name}".event_receipts r USING (event_id) '
                    "WHERE o.occurred_at >= to_timestamp($1)",
                    after,
                )
            ]
        return sorted(found)
    finally:
        await connection.close()


async def measure(
    env: dict[str, str], seconds: float, results: list[Result], extra: dict[str, float]
) -> None:
    dsn = env["RAPPORT_DATABASE_URL"]
    engine = create_engine(dsn)
    install_engine(engine)
    await engine.start_connection_pool(min_size=1, max_size=6)
    try:
        template = await latest_template()
        assert template is not None
        await provision_tenants(engine, [f"events-{n}" for n in range(TENANTS)], template)
        contexts = await tenants(dsn)
        with (
            tempfile.TemporaryDirectory(prefix="rapport-bench-events-") as folder,
            pipeline(env, Path(folder)) as procs,
        ):
            await produce(contexts, 1.0, None)  # warm-up: workers boot, pools fill
            await wait_consumed(dsn, contexts, await _emitted(dsn, contexts))
            base = await consumed(dsn, contexts)
            began = time.perf_counter()
            emitted = await produce(contexts, seconds, None)
            drain = await wait_consumed(dsn, contexts, base + emitted)
            total = time.perf_counter() - began
            extra["saturation: events emitted"] = emitted
            extra["saturation: emitted/s"] = round(emitted / seconds, 1)
            extra["saturation: consumed/s"] = round(emitted / total, 1)
            extra["saturation: drain after s"] = round(drain, 2)

            mark = time.time()
            emitted = await produce(contexts, seconds, PACED_RATE)
            await wait_consumed(dsn, contexts, await _emitted(dsn, contexts))
            found = await latencies(dsn, contexts, mark)
            results.append(
                Result(
                    name=f"paced {PACED_RATE}/s commit→consumer",
                    requests=len(found),
                    errors=emitted - len(found),
                    rps=round(emitted / seconds, 1),
                    p50_ms=round(found[len(found) // 2] * 1000, 1),
                    p99_ms=round(found[int(len(found) * 0.99) - 1] * 1000, 1),
                    rss_mb=rss_mb(procs["relay"].pid),
                )
            )
    finally:
        await engine.close_connection_pool()


async def _emitted(dsn: str, contexts: list[TenantContext]) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return sum(
            [
                await connection.fetchval(f'SELECT count(*) FROM "{t.schema_name}".outbox_events')
                for t in contexts
            ]
        )
    finally:
        await connection.close()


def run(seconds: float) -> None:
    started = time.perf_counter()
    results: list[Result] = []
    extra: dict[str, float] = {}
    with services() as env:
        migrate_database(env)
        asyncio.run(measure(env, seconds, results, extra))
    extra["suite s"] = round(time.perf_counter() - started, 1)
    report("events", results, extra)
