"""Tenancy: signup latency, tenant-scoped read latency and API memory as tenants grow, migration fan-out.

What is measured, against one throwaway database and one real ``rapport serve``:

1. ``POST /api/v1/signup``: 200 sequential signups (new slug and email each), p50/p95/p99.
2. ``GET /api/v1/workspace`` with a random ``X-Tenant`` per request (8 concurrent clients) when 1, 1,000
   and (``--large``) 10,000 tenant schemas exist, with the API process's RSS after each load, and the
   ratio of the biggest size's p50 to the 1-tenant p50.
3. One additive migration (a nullable ``varchar`` on ``workspace_settings``) applied by the fan-out
   runner to every tenant schema at 1,000 and (``--large``) 10,000 tenants: seconds and schemas/s, then
   one catalog query checks that every schema has the column.

Bulk tenants are provisioned in-process from the stored template (no HTTP, no argon2, no user), each
in its own transaction like signup's, with a ``workspace_settings`` row so the read returns 200.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from piccolo.engine.postgres import PostgresEngine
from rapport.kernel.db import create_engine, install_engine
from rapport_tenants.fanout import Outcome, migrate_tenants
from rapport_tenants.migrations import MigrationApp
from rapport_tenants.names import schema_name_for
from rapport_tenants.tables import Tenant, TenantStatus
from rapport_tenants.template import Template, latest_template, provision_schema

from tests.bench.harness import Result, api_server, load, report, rss_mb, services

__all__ = ["run"]

SIGNUPS = 200
READ_CONCURRENCY = 8
PROVISION_CONCURRENCY = 4
MIGRATE_CONCURRENCY = 4
POOL_SIZE = max(PROVISION_CONCURRENCY, MIGRATE_CONCURRENCY) + 1
BASE_DOMAIN = "localhost"
PASSWORD = "bench-password-9431"
LIMITS_OFF = {"RAPPORT_SIGNUP_RATE_PER_HOUR": "100000000", "RAPPORT_RATE_LIMIT_PER_MINUTE": "100000000"}
"""One client sends everything: per-address limits would turn the measurement into 429s. The limiter still
runs (one Redis round trip per request), as in production."""

_MIGRATION_SOURCE = '''\
"""Bench-only: one nullable column on workspace_settings (never part of the real history)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2099-01-01T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "bench: additive migration"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name={app_name!r}, description=DESCRIPTION)
    manager.add_column(
        table_class_name="WorkspaceSettings",
        tablename="workspace_settings",
        column_name={column!r},
        db_column_name={column!r},
        column_class_name="Varchar",
        column_class=Varchar,
        params={{
            "length": 200,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        }},
        schema=None,
    )
    return manager
'''


@dataclass
class SuiteRun:
    """What the suite has measured so far, and where the API under test is."""

    base: str
    api_pid: int
    engine: PostgresEngine
    seconds: float
    folder: Path
    results: list[Result] = field(default_factory=list)
    extra: dict[str, float] = field(default_factory=dict)


def run(seconds: float, large: bool = False) -> None:
    """The whole suite: 1 tenant, 200 signups, then 1,000 (and 10,000 with ``large``) tenants."""
    sizes = (1_000, 10_000) if large else (1_000,)
    started = time.perf_counter()
    with services() as env, tempfile.TemporaryDirectory(prefix="rapport-bench-migration-") as folder:
        env = {**env, **LIMITS_OFF, "RAPPORT_BASE_DOMAIN": BASE_DOMAIN}
        migrate_seconds = migrate_database(env)
        with api_server(env) as (base, process, _):
            engine = create_engine(env["RAPPORT_DATABASE_URL"])
            state = SuiteRun(
                base=base, api_pid=process.pid, engine=engine, seconds=seconds, folder=Path(folder)
            )
            state.extra["rapport migrate s"] = round(migrate_seconds, 2)
            asyncio.run(measure(state, sizes))
    state.extra["suite s"] = round(time.perf_counter() - started, 1)
    report("tenancy", state.results, state.extra)


def migrate_database(env: dict[str, str]) -> float:
    """``rapport migrate`` on the empty database (control plane + template); returns its seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rapport", "migrate"], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


async def measure(state: SuiteRun, sizes: tuple[int, ...]) -> None:
    """Every measurement, in order; the tenant count only grows."""
    # The fan-out runner and the template helpers find this engine through Piccolo.
    install_engine(state.engine)
    await state.engine.start_connection_pool(min_size=1, max_size=POOL_SIZE)
    try:
        template = await latest_template()
        await provision_tenants(state.engine, ["solo-0"], template)
        first = await read_latency(state, 1)
        await measure_signups(state)
        for size in sizes:
            await grow_to(state, size, template)
            latest = await read_latency(state, size)
            await measure_migration(state, size)
        state.extra[f"read p50 x ({sizes[-1]} vs 1)"] = round(latest.p50_ms / first.p50_ms, 2)
    finally:
        await state.engine.close_connection_pool()


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted seconds, in milliseconds."""
    index = min(len(ordered) - 1, max(0, round(len(ordered) * fraction) - 1))
    return round(ordered[index] * 1000, 2)


async def measure_signups(state: SuiteRun) -> None:
    """``SIGNUPS`` sequential signups through the HTTP endpoint: tenant creation latency."""
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=state.base, timeout=30) as client:
        for number in range(SIGNUPS):
            payload = {
                "organization_name": f"Signup {number}",
                "slug": f"signup-{number}",
                "admin_email": f"owner{number}@signup.example",
                "password": PASSWORD,
            }
            began = time.perf_counter()
            response = await client.post("/api/v1/signup", json=payload)
            latencies.append(time.perf_counter() - began)
            errors += response.status_code != 201
    ordered = sorted(latencies)
    state.results.append(
        Result(
            name=f"POST signup ({SIGNUPS} seq)",
            requests=len(ordered),
            errors=errors,
            rps=round(len(ordered) / sum(ordered), 1),
            p50_ms=percentile(ordered, 0.50),
            p99_ms=percentile(ordered, 0.99),
            rss_mb=rss_mb(state.api_pid),
        )
    )
    state.extra["signup p50 ms"] = percentile(ordered, 0.50)
    state.extra["signup p95 ms"] = percentile(ordered, 0.95)


async def tenant_slugs() -> list[str]:
    """Slugs of every active tenant: the read picks one at random per request."""
    rows = await Tenant.select(Tenant.slug).where(Tenant.status == TenantStatus.ACTIVE.value)
    return [row["slug"] for row in rows]


async def settle(state: SuiteRun, slugs: list[str]) -> None:
    """Let PostgreSQL finish the bulk DDL's aftermath (checkpoint, catalog statistics), then touch every
    tenant once, so the read measures the steady state (warm tenant lookups), not the minutes after
    10,000 schemas were created."""
    started = time.perf_counter()
    await Tenant.raw("ANALYZE pg_catalog.pg_class")
    await Tenant.raw("CHECKPOINT")
    gate = asyncio.Semaphore(READ_CONCURRENCY)
    async with httpx.AsyncClient(base_url=state.base, timeout=30) as client:

        async def touch(slug: str) -> None:
            async with gate:
                await client.get("/api/v1/workspace", headers={"X-Tenant": slug})

        await asyncio.gather(*(touch(slug) for slug in slugs))
    state.extra[f"settle @{len(slugs)} s"] = round(time.perf_counter() - started, 1)


async def read_latency(state: SuiteRun, size: int) -> Result:
    """``GET /api/v1/workspace`` for a random existing tenant per request, then the API's RSS."""
    slugs = await tenant_slugs()
    await settle(state, slugs)
    chooser = random.Random(size)

    def headers() -> dict[str, str]:
        return {"X-Tenant": chooser.choice(slugs)}

    label = "tenant" if size == 1 else "tenants"
    result = await load(
        f"GET workspace @{size} {label}",
        state.base + "/api/v1/workspace",
        state.seconds,
        concurrency=READ_CONCURRENCY,
        headers=headers,
    )
    result.rss_mb = rss_mb(state.api_pid)
    state.results.append(result)
    # Context for the latency: this suite alone keeps ~2-3 runnable; more means other work shared the cores.
    state.extra[f"1-min load avg @{size}"] = round(os.getloadavg()[0], 2)
    return result


async def grow_to(state: SuiteRun, size: int, template: Template) -> None:
    """Provision bulk tenants until ``size`` exist; records tenants provisioned per second."""
    existing = await Tenant.count()
    slugs = [f"bulk-{number}" for number in range(existing, size)]
    started = time.perf_counter()
    await provision_tenants(state.engine, slugs, template)
    state.extra[f"provision to {size} tenants/s"] = round(len(slugs) / (time.perf_counter() - started), 1)


async def provision_tenants(engine: PostgresEngine, slugs: list[str], template: Template) -> None:
    """Provision ``slugs`` from ``template``, ``PROVISION_CONCURRENCY`` transactions at a time."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for slug in slugs:
        queue.put_nowait(slug)

    async def worker() -> None:
        while not queue.empty():
            await provision_tenant(engine, queue.get_nowait(), template)

    await asyncio.gather(*(worker() for _ in range(PROVISION_CONCURRENCY)))


async def provision_tenant(engine: PostgresEngine, slug: str, template: Template) -> None:
    """Signup's rows minus the user: tenant, primary domain, schema from the template, its settings."""
    tenant_id = uuid.uuid4()
    schema = schema_name_for(tenant_id)
    async with engine.transaction(allow_nested=False) as transaction:
        connection = transaction.connection
        await connection.execute(
            "INSERT INTO control.tenants (id, slug, display_name, status, schema_name, created_at) "
            "VALUES ($1, $2, $2, $3, $4, now())",
            tenant_id,
            slug,
            TenantStatus.ACTIVE.value,
            schema,
        )
        await connection.execute(
            "INSERT INTO control.domains (id, host, tenant_id, is_primary, created_at) "
            "VALUES ($1, $2, $3, true, now())",
            uuid.uuid4(),
            f"{slug}.{BASE_DOMAIN}",
            tenant_id,
        )
        await provision_schema(transaction, schema, template)
        await connection.execute("INSERT INTO workspace_settings (name) VALUES ($1)", slug)


def additive_migration(folder: Path, size: int) -> tuple[MigrationApp, str]:
    """A bench-only app whose one migration adds a nullable column; a new app and column per size."""
    app_name, column = ("bench", "bench_note") if size == 1_000 else (f"bench_{size}", f"bench_note_{size}")
    path = folder / f"{app_name}_migration.py"
    path.write_text(_MIGRATION_SOURCE.format(app_name=app_name, column=column))
    spec = importlib.util.spec_from_file_location(f"rapport_bench_migrations.{app_name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the bench migration at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return MigrationApp(name=app_name, modules={module.ID: module}), column


async def measure_migration(state: SuiteRun, size: int) -> None:
    """Fan one additive migration out to every tenant schema; seconds, schemas/s, schemas with the column."""
    app, column = additive_migration(state.folder, size)
    stdout = sys.stdout
    try:
        summary = await migrate_tenants([app], concurrency=MIGRATE_CONCURRENCY)
    finally:
        # apply_pending silences Piccolo with contextlib.redirect_stdout, which is process-wide: when
        # schemas migrate concurrently the redirections interleave and sys.stdout is left on a StringIO.
        sys.stdout = stdout
    done = summary.count(Outcome.DONE)
    state.extra[f"migrate {size}: schemas done"] = done
    state.extra[f"migrate {size}: failed"] = summary.count(Outcome.FAILED)
    state.extra[f"migrate {size}: seconds"] = round(summary.seconds, 2)
    state.extra[f"migrate {size}: schemas/s"] = round(done / summary.seconds, 1)
    state.extra[f"migrate {size}: with column"] = await schemas_with_column(column)


async def schemas_with_column(column: str) -> int:
    """How many tenant schemas' ``workspace_settings`` have ``column`` (one catalog query)."""
    rows = await Tenant.raw(
        "SELECT count(*) AS n FROM information_schema.columns "
        "WHERE table_name = 'workspace_settings' AND column_name = {} AND table_schema LIKE 't\\_%'",
        column,
    )
    return int(rows[0]["n"])
