"""The work of the ``crm.import`` job, in one transaction so that nothing is half-imported.

- **reading**: the file streams through Python's csv reader (or openpyxl's read-only mode), each row is
  checked cell by cell with the API's rules (``import_fields``), owners and ``user`` fields are resolved
  from the member list, and valid rows go into a temporary staging table with binary ``COPY``
  (10,000 rows a time); invalid rows become failures with their cells and messages.
- **checking**: set-based checks that need the records (related records exist, companies may be created).
- **matching** (unless ``on_match`` is ``create``): rows repeating an earlier row's email (or domain) are
  skipped; rows matching a record by email (or domain / exact name) and, with ``fuzzy``, rows whose name
  is similar (trigram similarity ≥ 0.5, as for a record's duplicates) to a contact of the same company
  when either has no email, are skipped or update that record; a record is updated by one row at most;
  unique custom values are checked.
- **writing**: ``INSERT … SELECT`` and ``UPDATE … FROM`` over the staging table, 50,000 rows a statement,
  each with its audit rows in the same statement; companies named by contact rows are created first.

Progress (phase, percent, rows/s) is written on a separate connection between batches, where a cancel
request is also noticed: the transaction then rolls back. Imports write audit rows per record but no
per-record domain events (one ``import.finished`` event says what happened; see ADR 0011).
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import msgspec
import structlog
from rapport_tenants.context import TenantContext, process_pool, tenant_transaction

from rapport.crm import custom_fields
from rapport.crm.import_fields import RowChecker, import_fields
from rapport.crm.imports import MAX_REPORTED, MAX_ROWS, read_rows, run_lock
from rapport.crm.objects import COMPANY, LINKABLE, LISTS
from rapport.events.outbox import NewEvent, emit
from rapport.identity.access import Access, load_access
from rapport.identity.principal import Principal
from rapport.kernel.files import file_store

__all__ = ["Cancelled", "execute_import"]

log = structlog.get_logger(__name__)

BATCH = 10_000
CHUNK = 50_000
FUZZY = 0.5
COMPANY_FUZZY = 0.7

STAGE: dict[str, tuple[str, ...]] = {
    "contact": ("first_name", "last_name", "email", "phone", "title", "company_name"),
    "company": ("name", "domain", "industry"),
    "lead": ("first_name", "last_name", "email", "phone", "title", "company_name", "source", "status"),
}
"""The staging table's text columns per type (besides ``n``, ``owner_id``, ``owner_given`` and ``custom``)."""
_CHECKED = ("full_name", "owner_ref")
"""Columns the row checker fills that the job turns into others (first/last name, owner id)."""

_INSERT = {
    "contact": (
        "first_name, last_name, email, emails, phones, title, company, custom, owner_id, created_at, "
        "updated_at",
        "coalesce(s.first_name, ''), coalesce(s.last_name, ''), s.email, "
        "CASE WHEN s.email IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object("
        "'value', s.email, 'label', '', 'primary', true)) END, "
        "CASE WHEN s.phone IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object("
        "'value', s.phone, 'label', '', 'primary', true)) END, "
        "s.title, ic.id, $3::jsonb || s.custom, s.owner_id, now(), now()",
    ),
    "company": (
        "name, domain, industry, custom, owner_id, created_at, updated_at",
        "s.name, s.domain, s.industry, $3::jsonb || s.custom, s.owner_id, now(), now()",
    ),
    "lead": (
        "first_name, last_name, email, phone, company_name, title, source, status, score, custom, owner_id, "
        "created_at, updated_at",
        "coalesce(s.first_name, ''), coalesce(s.last_name, ''), s.email, s.phone, s.company_name, s.title, "
        "coalesce(s.source, 'import'), coalesce(s.status, 'new'), 0, $3::jsonb || s.custom, s.owner_id, "
        "now(), now()",
    ),
}
"""Per type: the columns a created record gets and their values from a staging row ``s``."""

_UPDATE = {
    "contact": {
        "first_name": "coalesce(s.first_name, c.first_name)",
        "last_name": "coalesce(s.last_name, c.last_name)",
        "email": "coalesce(c.email, s.email)",
        "emails": "CASE WHEN c.email IS NULL AND s.email IS NOT NULL THEN "
        "jsonb_build_array(jsonb_build_object("
        "'value', s.email, 'label', '', 'primary', true)) || c.emails ELSE c.emails END",
        "phones": "CASE WHEN s.phone IS NULL OR c.phones @> jsonb_build_array(jsonb_build_object('value', "
        "s.phone)) THEN c.phones ELSE c.phones || jsonb_build_array(jsonb_build_object('value', "
        "s.phone, 'label', '', 'primary', jsonb_array_length(c.phones) = 0)) END",
        "title": "coalesce(s.title, c.title)",
        "company": "coalesce(ic.id, c.company)",
        "custom": "c.custom || s.custom",
        "owner_id": "CASE WHEN s.owner_given THEN s.owner_id ELSE c.owner_id END",
    },
    "company": {
        "name": "coalesce(s.name, c.name)",
        "domain": "coalesce(s.domain, c.domain)",
        "industry": "coalesce(s.industry, c.industry)",
        "custom": "c.custom || s.custom",
        "owner_id": "CASE WHEN s.owner_given THEN s.owner_id ELSE c.owner_id END",
    },
    "lead": {
        "first_name": "coalesce(s.first_name, c.first_name)",
        "last_name": "coalesce(s.last_name, c.last_name)",
        "email": "coalesce(s.email, c.email)",
        "phone": "coalesce(s.phone, c.phone)",
        "company_name": "coalesce(s.company_name, c.company_name)",
        "title": "coalesce(s.title, c.title)",
        "source": "coalesce(s.source, c.source)",
        "status": "coalesce(s.status, c.status)",
        "custom": "c.custom || s.custom",
        "owner_id": "CASE WHEN s.owner_given THEN s.owner_id ELSE c.owner_id END",
    },
}
"""Per type: what an update sets (a cell left empty keeps the record's value)."""


def _literal(text: str) -> str:
    """``text`` as an SQL string literal (file column names come from the uploaded file)."""
    return "'" + text.replace("'", "''") + "'"


class _Timed:
    """The import's connection, adding up the seconds spent per statement (logged when it finishes)."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection
        self.steps: dict[str, float] = collections.defaultdict(float)

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.connection, name)
        if name not in ("execute", "fetch", "fetchval", "fetchrow", "copy_records_to_table"):
            return method

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await method(*args, **kwargs)
            finally:
                label = " ".join(str(args[0]).split()[:6]) if args else name
                self.steps[label] += time.perf_counter() - started

        return timed


class Cancelled(Exception):
    """The person asked the import to stop."""


class _Failed(Exception):
    """The import cannot run (said in its ``error``)."""


@dataclass
class _Run:
    tenant: TenantContext
    row: dict[str, Any]
    access: Access
    principal: Principal
    connection: Any
    """The transaction's connection, timed (``_Timed``)."""
    fields: dict[str, Any]
    headers: list[str]
    mapping: dict[str, str]
    reported: list[tuple[int, str, str]] = field(default_factory=list)
    failed: int = 0
    total: int = 0
    phase_started: float = field(default_factory=time.monotonic)

    @property
    def import_id(self) -> int:
        return int(self.row["id"])

    @property
    def object_type(self) -> str:
        return str(self.row["object_type"])

    def fail_row(self, n: int, cells: Sequence[str], errors: list[dict[str, Any]]) -> None:
        self.failed += 1
        if len(self.reported) < MAX_REPORTED:
            named = dict(zip(self.headers, cells, strict=False))
            self.reported.append((n, json.dumps(named), json.dumps(errors)))

    def cells_sql(self) -> str:
        """The mapped cells of a staging row ``s`` as a JSON object by file column (for failures)."""
        pairs = []
        for header, name in self.mapping.items():
            field = self.fields[name]
            if field.custom is not None:
                value = f"s.custom->>'{field.custom['key']}'"
            elif field.column in ("full_name", "owner_ref"):
                continue  # split or resolved already
            else:
                value = f"s.{field.column}"
            pairs.append(f"{_literal(header)}, {value}")
        return f"jsonb_build_object({', '.join(pairs)})"

    async def progress(self, phase: str, percent: float, done: int, **extra: Any) -> None:
        """Say how far the import is (own connection, committed at once); stop when asked to."""
        elapsed = max(time.monotonic() - self.phase_started, 0.001)
        values = {
            "phase": phase,
            "percent": int(percent),
            "rows_done": done,
            "rate": int(done / elapsed),
        } | extra
        sets = ", ".join(f"{name} = ${position}" for position, name in enumerate(values, start=2))
        async with process_pool().acquire() as side:
            cancel = await side.fetchval(
                f'UPDATE "{self.tenant.schema_name}".imports SET {sets} WHERE id = $1 RETURNING '
                "cancel_requested",
                self.import_id,
                *values.values(),
            )
        if cancel:
            raise Cancelled

    def phase(self) -> None:
        self.phase_started = time.monotonic()


async def _side_update(tenant: TenantContext, import_id: int, **values: Any) -> None:
    sets = ", ".join(f"{name} = ${position}" for position, name in enumerate(values, start=2))
    async with process_pool().acquire() as side:
        await side.execute(
            f'UPDATE "{tenant.schema_name}".imports SET {sets} WHERE id = $1', import_id, *values.values()
        )


async def _claim(tenant: TenantContext, import_id: int) -> tuple[dict[str, Any], str | None] | None:
    """Take a queued import (the row and the asker's current role), or finish a cancelled one."""
    async with tenant_transaction(tenant) as transaction:
        connection = transaction.connection
        row = await connection.fetchrow("SELECT * FROM imports WHERE id = $1 FOR UPDATE", import_id)
        if row is None or row["status"] != "queued":
            return None
        if row["cancel_requested"]:
            await connection.execute(
                "UPDATE imports SET status = 'cancelled', finished_at = now() WHERE id = $1", import_id
            )
            return None
        role = await connection.fetchval(
            "SELECT role FROM memberships WHERE user_id = $1 AND active", row["user_id"]
        )
        await connection.execute(  # the phase is set once the run holds its lock (``_execute``)
            "UPDATE imports SET status = 'running', phase = '', started_at = now() WHERE id = $1",
            import_id,
        )
    return dict(row), role


async def execute_import(tenant: TenantContext, import_id: int) -> None:
    """Run a queued import to its end: done, failed (with the reason) or cancelled; then drop its file
    (failed rows are kept in the database, and fixes come back as a new import)."""
    claimed = await _claim(tenant, import_id)
    if claimed is None:
        return
    row, role = claimed
    try:
        await _execute(tenant, import_id, row, role)
    finally:  # after a failure or cancel before staging ended (deleting twice is fine)
        try:
            await file_store().delete(row["file_key"])
        except Exception:  # the file stays until the workspace is purged; the import itself is over
            log.warning("import_file_not_deleted", import_id=import_id, exc_info=True)


async def _execute(tenant: TenantContext, import_id: int, row: dict[str, Any], role: str | None) -> None:
    if role is None:
        await _side_update(
            tenant,
            import_id,
            status="failed",
            error="the member left the workspace",
            finished_at=dt.datetime.now(dt.UTC),
        )
        return
    principal = Principal(user_id=row["user_id"], email="", tenant_id=tenant.id, role=role, via="import")
    try:
        access = await load_access(tenant, principal)
        async with tenant_transaction(tenant) as transaction:
            connection = transaction.connection
            await connection.execute(
                f"SELECT pg_advisory_xact_lock({run_lock('$1', '$2::bigint')})", tenant.schema_name, import_id
            )
            if await connection.fetchval("SELECT status FROM imports WHERE id = $1", import_id) != "running":
                return  # settled as stopped between the claim and the lock (a reader held the lock)
            await _side_update(tenant, import_id, phase="reading")
            await connection.execute("SET LOCAL work_mem = '64MB'")
            fields = import_fields(
                row["object_type"], await custom_fields.field_definitions(row["object_type"])
            )
            run = _Run(
                tenant,
                row,
                access,
                principal,
                _Timed(connection),
                fields,
                json.loads(row["headers"]),
                json.loads(row["mapping"]),
            )
            await _run(run)
            slowest = sorted(run.connection.steps.items(), key=lambda kv: -kv[1])[:14]
            log.info(
                "import_finished",
                import_id=import_id,
                rows=run.total,
                seconds={label: round(spent, 2) for label, spent in slowest},
            )
    except Cancelled:
        await _side_update(
            tenant, import_id, status="cancelled", phase="", finished_at=dt.datetime.now(dt.UTC)
        )
    except Exception as exc:  # the import fails as a whole, with the reason, and nothing is written
        message = str(exc) if isinstance(exc, _Failed) else f"{type(exc).__name__}: {exc}"
        await _side_update(
            tenant,
            import_id,
            status="failed",
            phase="",
            error=message[:500],
            finished_at=dt.datetime.now(dt.UTC),
        )


async def _run(run: _Run) -> None:
    kind = LINKABLE[run.object_type]
    run.access.require(kind, "create")
    if run.row["on_match"] == "update":
        run.access.require(kind, "update")
    await _stage(run)
    # Every row is staged: the upload is not needed any more, and it is gone before the end is recorded
    # (``execute_import`` still deletes it when the import ends earlier).
    await file_store().delete(run.row["file_key"])
    run.phase()
    await run.progress("checking", 45, 0, rows_total=run.total)
    await _check(run)
    run.phase()
    await run.progress("matching", 50, 0)
    if run.row["on_match"] != "create":
        await _match(run)
    await _unique(run)
    run.phase()
    await run.progress("writing", 55, 0)
    created, updated, skipped = await _write(run)
    await _finish(run, created, updated, skipped)


async def _members(connection: asyncpg.Connection) -> dict[str, uuid.UUID]:
    rows = await connection.fetch(
        "SELECT lower(u.email) AS email, m.user_id FROM memberships m JOIN control.users u ON u.id = "
        "m.user_id "
        "WHERE m.active"
    )
    return {row["email"]: row["user_id"] for row in rows}


class _Rows:
    """A checked row → its staging record (names split, owner and ``user`` fields resolved)."""

    def __init__(self, run: _Run, members: Mapping[str, uuid.UUID]) -> None:
        self.run, self.members = run, members
        self.columns = (*STAGE[run.object_type], *_CHECKED, "custom")
        self.checker = RowChecker(run.headers, run.mapping, run.fields, self.columns)
        self.slot = {name: position for position, name in enumerate(self.columns)}
        self.header_of = {name: header for header, name in run.mapping.items()}
        self.users = [
            f.custom["key"]
            for f in run.fields.values()
            if f.custom is not None and f.custom["type"] == "user" and f.name in self.header_of.values()
        ]
        self.kind = LINKABLE[run.object_type]

    def owner(self, values: list[Any], errors: list[dict[str, Any]]) -> tuple[uuid.UUID, bool]:
        reference = values[self.slot["owner_ref"]]
        if reference is None:
            return self.run.principal.user_id, False
        column = self.header_of.get("owner")
        owner = self.members.get(reference)
        if owner is None:
            errors.append({"column": column, "field": "owner", "message": "no active member has this email"})
        elif not self.run.access.may_own(self.kind, owner):
            errors.append({"column": column, "field": "owner", "message": "outside your role's row scope"})
        return owner or self.run.principal.user_id, True

    def record(self, n: int, cells: list[str]) -> tuple[Any, ...] | None:
        values, errors = self.checker.check(cells)
        slot = self.slot
        full = values[slot["full_name"]]
        if full is not None:
            first, _, last = full.rpartition(" ")
            values[slot["first_name"]], values[slot["last_name"]] = first.strip() or None, last
        if self.run.object_type == "company":
            if values[slot["name"]] is None:
                errors.append(
                    {"column": self.header_of.get("name"), "field": "name", "message": "is required"}
                )
        elif not (values[slot["first_name"]] or values[slot["last_name"]] or values[slot["email"]]):
            column = self.header_of.get("last_name") or self.header_of.get("full_name")
            message = f"a {self.kind.label} needs a name or an email address"
            errors.append({"column": column, "field": "last_name", "message": message})
        owner, given = self.owner(values, errors)
        custom = values[slot["custom"]]
        for key in self.users:
            if key in custom:
                member = self.members.get(custom[key])
                if member is None:
                    errors.append(
                        {
                            "column": self.header_of.get(f"custom.{key}"),
                            "field": f"custom.{key}",
                            "message": "no active member has this email",
                        }
                    )
                custom[key] = str(member)
        if errors:
            self.run.fail_row(n, cells, errors)
            return None
        stage = tuple(values[slot[name]] for name in STAGE[self.run.object_type])
        return (n, *stage, owner, given, msgspec.json.encode(custom).decode())


class _Reader:
    """The file's data rows, checked, in batches of staging records (run in a thread beside the COPY)."""

    def __init__(self, run: _Run, rows: _Rows, path: Any) -> None:
        self.run, self.rows = run, rows
        self.fmt, self.width = run.row["format"], len(run.headers)
        self.read = [0]
        self.lines = read_rows(path, self.fmt, json.loads(run.row["options"]), self.read)
        next(self.lines, None)
        self.n = 1
        self.estimate = 1
        if self.fmt == "xlsx":
            from openpyxl import load_workbook

            with path.open("rb") as handle:
                workbook = load_workbook(handle, read_only=True)
                self.estimate = max(workbook.worksheets[0].max_row or 1, 1)
                workbook.close()

    def batch(self) -> list[tuple[Any, ...]] | None:
        """Up to ``BATCH`` rows' records (fewer when rows fail); None at the end of the file."""
        records: list[tuple[Any, ...]] = []
        run, rows, width = self.run, self.rows, self.width
        for cells in self.lines:
            self.n += 1
            if not any(cell.strip() for cell in cells):
                continue  # blank lines
            run.total += 1
            if run.total > MAX_ROWS:
                raise _Failed(f"the file has more than {MAX_ROWS:,} rows; split it")
            record = rows.record(self.n, cells[:width] if len(cells) >= width else cells)
            if record is not None:
                records.append(record)
            if self.n % BATCH == 0:
                return records
        return records or None

    def share(self) -> float:
        if self.fmt == "csv":
            return min(self.read[0] / max(int(self.run.row["size"]), 1), 1.0)
        return min(self.n / self.estimate, 1.0)


async def _stage(run: _Run) -> None:
    """Read the file into ``import_stage`` (binary COPY per batch), failing the rows that do not check.

    Python reads and checks the next batch in a thread while the database takes the previous one.
    """
    stage = STAGE[run.object_type]
    columns = ", ".join(f"{name} text" for name in stage)
    await run.connection.execute(
        f"CREATE TEMP TABLE import_stage (n int PRIMARY KEY, {columns}, owner_id uuid, "
        "owner_given boolean, custom jsonb) ON COMMIT DROP"
    )
    names = ["n", *stage, "owner_id", "owner_given", "custom"]
    rows = _Rows(run, await _members(run.connection))
    async with file_store().reading(run.row["file_key"]) as path:
        reader = _Reader(run, rows, path)
        copying: asyncio.Task[Any] | None = None
        try:
            while True:
                records = await asyncio.to_thread(reader.batch)
                if copying is not None:
                    await copying
                    copying = None
                if records is None:
                    break
                copying = asyncio.create_task(
                    run.connection.copy_records_to_table("import_stage", records=records, columns=names)
                )
                await run.progress("reading", 45 * reader.share(), run.total)
        finally:
            if copying is not None:
                copying.cancel()
                await asyncio.gather(copying, return_exceptions=True)
    await run.connection.execute("ANALYZE import_stage")


async def _fail_where(
    run: _Run, condition: str, column: str | None, field_name: str, message: str, *args: Any
) -> None:
    """Move the staging rows meeting ``condition`` (SQL on ``s``) to the failures, with ``message`` (SQL)."""
    first = 4 + len(args)
    count = await run.connection.fetchval(
        f"WITH bad AS (DELETE FROM import_stage s WHERE {condition} "
        f"RETURNING s.n, {run.cells_sql()} AS cells, {message} AS message), "
        "kept AS (INSERT INTO import_failures (import_id, row_number, cells, errors) "
        "SELECT $1, n, cells, jsonb_build_array(jsonb_build_object("
        "'column', $2::text, 'field', $3::text, 'message', message)) "
        f"FROM bad ORDER BY n LIMIT ${first}) SELECT count(*) FROM bad",
        run.import_id,
        column,
        field_name,
        *args,
        max(MAX_REPORTED - len(run.reported) - run.failed, 0),
    )
    run.failed += count


def _header(run: _Run, name: str) -> str | None:
    return next((header for header, field_name in run.mapping.items() if field_name == name), None)


async def _check(run: _Run) -> None:
    """What needs the records: related records exist, new companies may be created."""
    for name, definition in ((f.name, f.custom) for f in run.fields.values() if f.custom is not None):
        if definition["type"] != "relation" or _header(run, name) is None:
            continue
        key, target = definition["key"], LISTS[definition["options"][0]].table
        await _fail_where(
            run,
            f"s.custom ? $4 AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.id = (s.custom->>$4)::bigint "
            "AND r.deleted_at IS NULL)",
            _header(run, name),
            name,
            f"'no {definition['options'][0]} ' || (s.custom->>$4)",
            key,
        )
    if run.object_type == "contact" and _header(run, "company") is not None:
        await run.connection.execute(
            "CREATE TEMP TABLE import_company (key text PRIMARY KEY, id bigint) ON COMMIT DROP; "
            "INSERT INTO import_company SELECT DISTINCT ON (lower(c.name)) lower(c.name), c.id FROM "
            "companies c "
            "WHERE c.deleted_at IS NULL AND lower(c.name) IN "
            "(SELECT lower(company_name) FROM import_stage WHERE company_name IS NOT NULL) "
            "ORDER BY lower(c.name), c.id"
        )
        if not run.access.allows(COMPANY.name, "create"):
            await _fail_where(
                run,
                "s.company_name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM import_company ic "
                "WHERE ic.key = lower(s.company_name))",
                _header(run, "company"),
                "company",
                "'no company is named so, and your role may not create companies'",
            )


_EXACT = {
    "contact": ("JOIN contacts c ON c.email = s.email AND c.deleted_at IS NULL WHERE s.email IS NOT NULL",),
    "lead": ("JOIN leads c ON c.email = s.email AND c.deleted_at IS NULL WHERE s.email IS NOT NULL",),
    "company": (
        "JOIN companies c ON c.domain = s.domain AND c.deleted_at IS NULL WHERE s.domain IS NOT NULL",
        "JOIN companies c ON lower(c.name) = lower(s.name) AND c.deleted_at IS NULL",
    ),
}
_SAME_KEY = {"contact": "s.email", "lead": "s.email", "company": "coalesce(s.domain, lower(s.name))"}
_FUZZY = {
    "contact": (
        "JOIN import_company ic ON ic.key = lower(s.company_name) "
        "JOIN contacts c ON c.company = ic.id AND c.deleted_at IS NULL "
        "WHERE (s.email IS NULL OR c.email IS NULL)",
        "similarity(c.first_name || ' ' || c.last_name, coalesce(s.first_name || ' ', '') || "
        "coalesce(s.last_name, ''))",
    ),
    "lead": (
        "JOIN leads c ON lower(c.company_name) = lower(s.company_name) AND c.deleted_at IS NULL "
        "WHERE s.company_name IS NOT NULL AND (s.email IS NULL OR c.email IS NULL)",
        "similarity(c.first_name || ' ' || c.last_name, coalesce(s.first_name || ' ', '') || "
        "coalesce(s.last_name, ''))",
    ),
    "company": (
        "JOIN companies c ON c.name % s.name AND c.deleted_at IS NULL WHERE (s.domain IS NULL OR "
        "c.domain IS NULL)",
        "similarity(c.name, s.name)",
    ),
}


async def _match(run: _Run) -> None:
    """Plan the rows that skip or update instead of creating: ``import_plan (n, action, match_id)``."""
    connection, kind = run.connection, run.object_type
    action = "u" if run.row["on_match"] == "update" else "s"
    await connection.execute(
        "CREATE TEMP TABLE import_plan (n int PRIMARY KEY, action text, match_id bigint) ON COMMIT DROP"
    )
    await connection.execute(
        "INSERT INTO import_plan SELECT n, 's', NULL FROM (SELECT s.n, row_number() OVER "
        f"(PARTITION BY {_SAME_KEY[kind]} ORDER BY s.n) AS r FROM import_stage s "
        f"WHERE {_SAME_KEY[kind]} IS NOT NULL) d WHERE r > 1"
    )
    for join in _EXACT[kind]:
        await connection.execute(
            f"INSERT INTO import_plan SELECT s.n, $1, min(c.id) FROM import_stage s {join} "
            "GROUP BY s.n ON CONFLICT (n) DO NOTHING",
            action,
        )
    fuzzy_possible = kind != "contact" or _header(run, "company") is not None
    if run.row["fuzzy"] and fuzzy_possible:
        join, score = _FUZZY[kind]
        threshold = COMPANY_FUZZY if kind == "company" else FUZZY
        await connection.execute(f"SET LOCAL pg_trgm.similarity_threshold = {threshold}")
        await connection.execute(
            f"INSERT INTO import_plan SELECT DISTINCT ON (s.n) s.n, $1, c.id FROM import_stage s {join} "
            f"AND {score} >= {threshold} AND NOT EXISTS (SELECT 1 FROM import_plan p WHERE p.n = s.n) "
            f"ORDER BY s.n, {score} DESC, c.id",
            action,
        )
    if action == "u":
        await connection.execute(  # a record is updated by its first matching row; the others skip
            "UPDATE import_plan p SET action = 's' FROM (SELECT n, row_number() OVER (PARTITION BY match_id "
            "ORDER BY n) AS r FROM import_plan WHERE action = 'u') d WHERE p.n = d.n AND d.r > 1"
        )
        owners = run.access.scope_owners(LINKABLE[kind])
        if owners is not None:
            table = LISTS[kind].table
            await _fail_where(
                run,
                f"s.n IN (SELECT p.n FROM import_plan p JOIN {table} c ON c.id = p.match_id "
                "WHERE p.action = 'u' AND NOT c.owner_id = ANY($4::uuid[]))",
                None,
                "id",
                f"'matches a {LINKABLE[kind].label} your role may not change'",
                sorted(owners),
            )


async def _unique(run: _Run) -> None:
    """Unique custom values: not another record's, not an earlier row's."""
    table = LISTS[run.object_type].table
    planned = run.row["on_match"] != "create"
    matched = "(SELECT p.match_id FROM import_plan p WHERE p.n = s.n)" if planned else "NULL::bigint"
    for name, definition in ((f.name, f.custom) for f in run.fields.values() if f.custom is not None):
        if not definition["unique"] or _header(run, name) is None:
            continue
        await _fail_where(
            run,
            f"s.custom ? $4 AND (EXISTS (SELECT 1 FROM {table} r WHERE r.custom @> jsonb_build_object($4, "
            f"s.custom->$4) AND r.deleted_at IS NULL AND r.id IS DISTINCT FROM {matched}) OR s.n IN "
            "(SELECT n FROM (SELECT n, row_number() OVER (PARTITION BY custom->$4 ORDER BY n) AS r "
            "FROM import_stage WHERE custom ? $4) repeated WHERE r > 1))",  # one sort, not a scan per row
            _header(run, name),
            name,
            "'another record or an earlier row has this value'",
            definition["key"],
        )


def _defaults(run: _Run) -> str:
    values = {
        f.custom["key"]: f.custom["default"]
        for f in run.fields.values()
        if f.custom is not None and f.custom["default"] is not None
    }
    return json.dumps(values)


def _audit(source: str, record_id: str, changes: str, first: int) -> str:
    """Audit rows for the rows of ``source``; ``$first``… are the action, user id, actor and object type."""
    action, user, actor, object_type = (f"${first + offset}" for offset in range(4))
    return (
        "INSERT INTO audit_events (occurred_at, action, actor_user_id, actor, via, ip, object_type, "
        "object_id, "
        f"changes, request_id) SELECT now(), {action}, {user}, {actor}, 'import', NULL, {object_type}, "
        f"{record_id}::text, {changes}, NULL FROM {source}"
    )


def _summary(import_id: str, object_type: str, first: int) -> str:
    """One audit row for the records of ``created`` (``$first``…: action, user id, actor): an import writes
    one row per statement, not one per record; ``first_id``/``last_id`` bound the new ids."""
    action, user, actor = (f"${first + offset}" for offset in range(3))
    return (
        "INSERT INTO audit_events (occurred_at, action, actor_user_id, actor, via, ip, object_type, "
        "object_id, "
        f"changes, request_id) SELECT now(), {action}, {user}, {actor}, 'import', NULL, 'import', "
        f"{import_id}::bigint::text, "
        f"jsonb_build_object('object_type', jsonb_build_array(NULL, {object_type}::text), "
        "'created', jsonb_build_array(NULL, count(*)), 'first_id', jsonb_build_array(NULL, min(id)), "
        "'last_id', jsonb_build_array(NULL, max(id))), NULL FROM created HAVING count(*) > 0"
    )


async def _new_companies(run: _Run) -> None:
    """The companies contact rows name that do not exist yet, created once each (with their audit rows)."""
    if run.object_type != "contact" or _header(run, "company") is None:
        return
    defaults = json.dumps(
        {
            f["key"]: f["default"]
            for f in await custom_fields.field_definitions("company")
            if f["default"] is not None
        }
    )
    planned = "LEFT JOIN import_plan p ON p.n = s.n" if run.row["on_match"] != "create" else ""
    wanted = "(p.n IS NULL OR p.action = 'u')" if planned else "true"
    audit = _summary("$2", "'company'", 3)
    await run.connection.execute(
        f"WITH wanted AS (SELECT DISTINCT ON (lower(s.company_name)) s.company_name, s.owner_id FROM "
        "import_stage s "
        f"{planned} WHERE s.company_name IS NOT NULL AND {wanted} AND NOT EXISTS (SELECT 1 FROM "
        "import_company ic "
        "WHERE ic.key = lower(s.company_name)) ORDER BY lower(s.company_name), s.n), "
        "created AS (INSERT INTO companies (name, owner_id, custom, created_at, updated_at) "
        "SELECT company_name, owner_id, $1::jsonb, now(), now() FROM wanted RETURNING id, name), "
        f"audited AS ({audit}) INSERT INTO import_company SELECT lower(name), id FROM created",
        defaults,
        run.import_id,
        "company.imported",
        run.principal.user_id,
        _actor(run),
    )


def _actor(run: _Run) -> str:
    return f"import {run.import_id}"


async def _write(run: _Run) -> tuple[int, int, int]:
    """Create and update the records, a chunk of rows per statement; (created, updated, skipped)."""
    connection, kind = run.connection, run.object_type
    table = LISTS[kind].table
    planned = run.row["on_match"] != "create"
    await _new_companies(run)
    bounds = await connection.fetchrow("SELECT min(n) AS low, max(n) AS high FROM import_stage")
    low, high = bounds["low"] or 0, bounds["high"] or -1
    columns, values = _INSERT[kind]
    company = (
        "LEFT JOIN import_company ic ON ic.key = lower(s.company_name)"
        if kind == "contact" and _header(run, "company") is not None
        else "LEFT JOIN (SELECT NULL::bigint AS id) ic ON true"
    )
    plan = (
        "LEFT JOIN import_plan p ON p.n = s.n" if planned else "LEFT JOIN (SELECT NULL::int AS n) p ON false"
    )
    summary = _summary("$8", "$7", 4)
    result = "array_agg(id)" if kind == "lead" else "array[count(*)]"
    create_sql = (
        f"WITH created AS (INSERT INTO {table} ({columns}) SELECT {values} FROM import_stage s "
        f"{company} {plan} "
        "WHERE s.n >= $1 AND s.n < $2 AND p.n IS NULL RETURNING id), "
        f"audited AS ({summary}) SELECT {result} FROM created"
    )
    update_sql = _update_sql(kind, table, company)
    action = f"{kind}.imported"
    created = updated = 0
    written: list[int] = []
    span = max(high - low + 1, 1)
    for start in range(low, high + 1, CHUNK):
        end = start + CHUNK
        ids = await connection.fetchval(
            create_sql,
            start,
            end,
            _defaults(run),
            action,
            run.principal.user_id,
            _actor(run),
            kind,
            run.import_id,
        )
        if kind == "lead":
            created += len(ids or [])
            written += ids or []
        else:
            created += ids[0]
        if planned and run.row["on_match"] == "update":
            changed = await connection.fetchval(
                update_sql, start, end, f"{kind}.updated", run.principal.user_id, _actor(run), kind
            )
            updated += len(changed or [])
            if kind == "lead":
                written += changed or []
        await run.progress("writing", 55 + 45 * min((end - low) / span, 1.0), created + updated)
    skipped = (
        await connection.fetchval(
            "SELECT count(*) FROM import_plan p JOIN import_stage s ON s.n = p.n WHERE p.action = 's'"
        )
        if planned
        else 0
    )
    if written:
        from rapport.crm import leads

        await leads.rescore(written)
    return created, updated, skipped


def _update_sql(kind: str, table: str, company: str) -> str:
    sets = _UPDATE[kind]
    assignments = ", ".join(f"{column} = {expression}" for column, expression in sets.items())
    changes = (
        "jsonb_strip_nulls(jsonb_build_object("
        + ", ".join(
            f"'{column}', CASE WHEN o.{column} IS DISTINCT FROM n.{column} THEN "
            f"jsonb_build_array(o.{column}, "
            f"n.{column}) END"
            for column in sets
            if column != "email"
        )
        + "))"
    )
    audit = _audit("changed n JOIN old o ON o.id = n.id", "n.id", changes, 3)
    return (
        f"WITH old AS (SELECT c.* FROM {table} c JOIN import_plan p ON p.match_id = c.id AND p.action = 'u' "
        "WHERE p.n >= $1 AND p.n < $2 AND EXISTS (SELECT 1 FROM import_stage s WHERE s.n = p.n)), "
        f"changed AS (UPDATE {table} c SET {assignments}, updated_at = now() FROM import_stage s {company} "
        "JOIN import_plan p ON p.n = s.n AND p.action = 'u' WHERE c.id = p.match_id AND s.n >= $1 AND "
        "s.n < $2 "
        "RETURNING c.*), "
        f"audited AS ({audit} WHERE {changes} <> '{{}}'::jsonb) SELECT array_agg(id) FROM changed"
    )


async def _finish(run: _Run, created: int, updated: int, skipped: int) -> None:
    if run.reported:
        await run.connection.copy_records_to_table(
            "import_failures",
            columns=["import_id", "row_number", "cells", "errors"],
            records=[(run.import_id, n, cells, errors) for n, cells, errors in run.reported],
        )
    await run.connection.execute(
        "UPDATE imports SET status = 'done', phase = '', percent = 100, rows_total = $2, rows_done = $3, "
        "created = $4, updated = $5, skipped = $6, failed = $7, finished_at = now() WHERE id = $1",
        run.import_id,
        run.total,
        created + updated + skipped,
        created,
        updated,
        skipped,
        run.failed,
    )
    counts = {"created": created, "updated": updated, "skipped": skipped, "failed": run.failed}
    await emit(
        NewEvent(
            "import.finished",
            "import",
            run.import_id,
            {"object_type": [None, run.object_type]}
            | {name: [None, value] for name, value in counts.items()},
            run.principal.user_id,
            _actor(run),
        )
    )
