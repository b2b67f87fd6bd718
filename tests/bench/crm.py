"""CRM: contacts at 10,000 and 100,000 (and, with ``--large``, 1,000,000) in one tenant beside a small one.

Against a real ``rapport serve`` (``--workers N`` processes) signed in as the big tenant's owner (session
cookie + CSRF), 16 concurrent clients (``wire``: stdlib HTTP/1.1) for ``--seconds`` after a warm-up, server
and client sharing this machine:

- ``create``: ``POST /api/v1/contacts`` (validation, permission checks, audit row, outbox event);
- ``list first``: ``GET /api/v1/contacts?limit=50&sort=last_name`` (with the planner estimate);
- ``list deep``: the same from a cursor in the middle of the table;
- ``search``: substring search by name (``filter`` ``name contains`` a random 3-letter fragment);
- ``record`` and ``timeline``: a record page's two requests, for a contact with 10 notes and 10 activities
  (``raw: record`` is the row by id; the timeline has no raw twin).

Beside each, ``raw:`` the same SQL statements through raw asyncpg in one process (the API's overhead is the
ratio). Contacts are bulk-loaded with ``COPY`` and analysed between sizes; the API's RSS is read after each.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import quote

import asyncpg
import httpx

from tests.bench.harness import Result, api_server, load, report, rss_mb, services
from tests.bench.tenancy import LIMITS_OFF, migrate_database

__all__ = ["run"]

CONCURRENCY = 16
FRAGMENTS = ["smi", "joh", "ann", "ler", "son", "mar", "ell", "ken", "ros", "tay"]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Miller",
    "Anderson",
    "Taylor",
    "Wilson",
    "Martin",
    "Keller",
    "Rossi",
    "Ellis",
    "Brown",
    "Garcia",
    "Lee",
    "Walker",
    "Young",
    "King",
    "Wright",
    "Lopez",
    "Hill",
    "Scott",
]
FIRST_NAMES = ["Anna", "John", "Mary", "Ken", "Rosa", "Ellen", "Marc", "Tom", "Lia", "Sam", "Joe", "Eva"]
PASSWORD = "bench-password-9431"


async def bulk_contacts(dsn: str, schema: str, owner: uuid.UUID, total: int) -> None:
    """Grow the tenant to ``total`` contacts with COPY (batches of 50,000), then ANALYZE."""
    connection = await asyncpg.connect(dsn)
    try:
        have = await connection.fetchval(f'SELECT count(*) FROM "{schema}".contacts')
        pick = random.Random(total)
        while have < total:
            batch = min(50_000, total - have)
            rows = []
            for n in range(have, have + batch):
                first, last = pick.choice(FIRST_NAMES), pick.choice(LAST_NAMES)
                email = f"{first}.{last}.{n}@example.com".lower()
                rows.append(
                    (
                        first,
                        last,
                        email,
                        json.dumps([{"value": email, "label": "", "primary": True}]),
                        "[]",
                        owner,
                    )
                )
            await connection.copy_records_to_table(
                "contacts",
                schema_name=schema,
                records=rows,
                columns=["first_name", "last_name", "email", "emails", "phones", "owner_id"],
            )
            have += batch
        await connection.execute(f'ANALYZE "{schema}".contacts')
    finally:
        await connection.close()


def cursor_at(value: str, row_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([value, row_id]).encode()).decode().rstrip("=")


async def raw(
    name: str,
    dsn: str,
    schema: str,
    seconds: float,
    work: Callable[[asyncpg.Connection], Awaitable[None]],
    in_transaction: bool = True,
) -> Result:
    """``work`` on a pooled connection, 16 at a time: inside a transaction scoped like a tenant's, or (as
    the API reads list pages) alone, with the tables named in full."""
    pool = await asyncpg.create_pool(dsn, min_size=CONCURRENCY, max_size=CONCURRENCY)
    latencies: list[float] = []
    try:
        for phase, record in ((1.0, False), (seconds, True)):
            stop_at = time.perf_counter() + phase

            async def worker(record: bool = record, stop_at: float = stop_at) -> None:
                while time.perf_counter() < stop_at:
                    began = time.perf_counter()
                    async with pool.acquire() as connection:
                        if in_transaction:
                            async with connection.transaction():
                                await connection.execute(
                                    "SELECT set_config('search_path', $1, true)", f'"{schema}", ext'
                                )
                                await work(connection)
                        else:
                            await work(connection)
                    if record:
                        latencies.append(time.perf_counter() - began)

            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    finally:
        await pool.close()
    ordered = sorted(latencies)
    return Result(
        name=f"raw: {name}",
        requests=len(ordered),
        errors=0,
        rps=round(len(ordered) / seconds, 1),
        p50_ms=round(statistics.median(ordered) * 1000, 2),
        p99_ms=round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
    )


async def raw_create(connection: asyncpg.Connection) -> None:
    row_id = await connection.fetchval(
        "INSERT INTO contacts (first_name, last_name, email, emails, phones, owner_id, created_at, "
        "updated_at) "
        "VALUES ('Raw', 'Bench', 'raw@example.com', '[]', '[]', $1, now(), now()) RETURNING id",
        uuid.uuid4(),
    )
    await connection.execute(
        "INSERT INTO audit_events (action, actor, via, object_type, object_id, changes, occurred_at) "
        "VALUES ('contact.created', 'bench', 'session', 'contact', $1, '{}', now())",
        str(row_id),
    )
    await connection.execute(
        "INSERT INTO outbox_events (event_id, name, version, record_type, record_id, changes, actor, "
        "occurred_at, depth) "
        "VALUES ($1, 'contact.created', 1, 'contact', $2, '{}', 'bench', now(), 0)",
        uuid.uuid4(),
        str(row_id),
    )


LIST_SQL = (
    'SELECT "id", "first_name", "last_name", "email", "emails", "phones", "title", "company", "owner_id", '
    '"created_at", "updated_at", last_name AS _sort FROM {table} WHERE deleted_at IS NULL {extra} '
    "ORDER BY last_name ASC, id ASC LIMIT 51"
)


async def measure(
    env: dict[str, str], base: str, api_pid: int, seconds: float, sizes: tuple[int, ...]
) -> tuple[list[Result], dict[str, float]]:
    results: list[Result] = []
    extra: dict[str, float] = {}
    dsn = env["RAPPORT_DATABASE_URL"]
    async with httpx.AsyncClient(base_url=base) as client:
        signed = []
        for slug in ("big", "small"):
            response = await client.post(
                "/api/v1/signup",
                json={
                    "organization_name": slug,
                    "slug": slug,
                    "admin_email": f"owner@{slug}.example",
                    "password": PASSWORD,
                },
            )
            response.raise_for_status()
            signed.append(response.json())
        login = await client.post(
            "/api/v1/auth/login",
            json={"email": "owner@big.example", "password": PASSWORD},
            headers={"x-tenant": "big"},
        )
        login.raise_for_status()
        cookie = {"rapport_session": login.cookies["rapport_session"]}
        write_headers = {"x-tenant": "big", "x-csrf-token": login.json()["csrf_token"]}
    connection = await asyncpg.connect(dsn)
    schema = await connection.fetchval("SELECT schema_name FROM control.tenants WHERE slug = 'big'")
    small_schema = await connection.fetchval("SELECT schema_name FROM control.tenants WHERE slug = 'small'")
    await connection.close()
    owner = uuid.UUID(signed[0]["admin"]["id"])
    await bulk_contacts(dsn, small_schema, uuid.UUID(signed[1]["admin"]["id"]), 500)
    read_headers = {"x-tenant": "big"}
    for size in sizes:
        started = time.perf_counter()
        await bulk_contacts(dsn, schema, owner, size)
        extra[f"load to {size}: s"] = round(time.perf_counter() - started, 1)
        connection = await asyncpg.connect(dsn)
        middle = await connection.fetchrow(
            f'SELECT last_name, id FROM "{schema}".contacts WHERE deleted_at IS NULL '
            "ORDER BY last_name, id OFFSET $1 LIMIT 1",
            size // 2,
        )
        await connection.close()
        deep = cursor_at(middle["last_name"], middle["id"])
        pick = random.Random(size)

        def search_url(pick: random.Random = pick) -> str:
            fragment = pick.choice(FRAGMENTS)
            return "/api/v1/contacts?limit=50&filter=" + quote(
                json.dumps({"field": "name", "op": "contains", "value": fragment})
            )

        loads = [
            (
                "create",
                "/api/v1/contacts",
                lambda: write_headers,
                lambda: {"first_name": "Bench", "last_name": "Person", "emails": ["b@example.com"]},
            ),
            ("list first", "/api/v1/contacts?limit=50&sort=last_name", lambda: read_headers, None),
            (
                "list deep",
                f"/api/v1/contacts?limit=50&sort=last_name&cursor={deep}",
                lambda: read_headers,
                None,
            ),
        ]
        for name, path, headers, body in loads:
            result = await load(
                f"{size}: {name}",
                base + path,
                seconds,
                CONCURRENCY,
                headers=headers,
                body=body,
                cookies=cookie,
            )
            result.rss_mb = rss_mb(api_pid)
            results.append(result)
        record = await _record_with_history(base, cookie, write_headers)
        for name, path in (
            ("record", f"/api/v1/contacts/{record}"),
            ("timeline", f"/api/v1/contacts/{record}/timeline"),
        ):
            result = await load(
                f"{size}: {name}",
                base + path,
                seconds,
                CONCURRENCY,
                headers=lambda: read_headers,
                cookies=cookie,
            )
            result.rss_mb = rss_mb(api_pid)
            results.append(result)
        search = await load(
            f"{size}: search",
            lambda: base + search_url(),
            seconds,
            CONCURRENCY,
            headers=lambda: read_headers,
            cookies=cookie,
        )
        search.rss_mb = rss_mb(api_pid)
        results.append(search)

        # List pages are read as the API reads them: one statement, no transaction (``tenant_reads``); the
        # first page's estimate is one EXPLAIN per 30 s there, so it is left out here too.
        table = f'"{schema}".contacts'

        async def raw_list_first(connection: asyncpg.Connection, table: str = table) -> None:
            await connection.fetch(LIST_SQL.format(table=table, extra=""))

        async def raw_list_deep(
            connection: asyncpg.Connection, middle: asyncpg.Record = middle, table: str = table
        ) -> None:
            await connection.fetch(
                LIST_SQL.format(table=table, extra="AND (last_name, id) > ($1, $2)"),
                middle["last_name"],
                middle["id"],
            )

        async def raw_search(
            connection: asyncpg.Connection, pick: random.Random = pick, table: str = table
        ) -> None:
            fragment = pick.choice(FRAGMENTS)
            await connection.fetch(
                LIST_SQL.replace("ORDER BY last_name ASC, id ASC", "ORDER BY id ASC").format(
                    table=table, extra="AND (first_name || ' ' || last_name) ILIKE $1"
                ),
                f"%{fragment}%",
            )

        async def raw_record(connection: asyncpg.Connection, record: int = record) -> None:
            await connection.fetchrow(
                LIST_SQL.replace(", last_name AS _sort", "")
                .format(table="contacts", extra="AND id = $1")
                .split(" ORDER BY")[0],
                record,
            )

        for name, work, in_transaction in (
            ("create", raw_create, True),
            ("list first", raw_list_first, False),
            ("list deep", raw_list_deep, False),
            ("record", raw_record, True),
            ("search", raw_search, False),
        ):
            results.append(await raw(f"{size}: {name}", dsn, schema, seconds, work, in_transaction))
    return results, extra


async def _record_with_history(base: str, cookie: dict[str, str], headers: dict[str, str]) -> int:
    """A contact created through the API with 10 notes and 10 activities: what a record page shows."""
    async with httpx.AsyncClient(base_url=base, cookies=cookie, headers=headers, timeout=30) as client:
        created = await client.post(
            "/api/v1/contacts",
            json={"first_name": "Page", "last_name": "Record", "emails": ["page@example.com"]},
        )
        created.raise_for_status()
        record = int(created.json()["id"])
        for n in range(10):
            link = {"record_type": "contact", "record_id": record}
            note = await client.post("/api/v1/notes", json={"body": f"<p>Note {n}</p>", **link})
            note.raise_for_status()
            task = await client.post(
                "/api/v1/activities", json={"kind": "call", "subject": f"Call {n}", **link}
            )
            task.raise_for_status()
    return record


def run(seconds: float, large: bool = False, workers: int = 1) -> None:
    sizes = (10_000, 100_000, 1_000_000) if large else (10_000, 100_000)
    started = time.perf_counter()
    with services() as env:
        env = {**env, **LIMITS_OFF}
        migrate_database(env)
        with api_server(env, workers) as (base, process, _):
            results, extra = asyncio.run(measure(env, base, process.pid, seconds, sizes))
    extra["suite s"] = round(time.perf_counter() - started, 1)
    extra["API worker processes"] = workers
    report("crm" if workers == 1 else f"crm-{workers}-workers", results, extra)
