"""Imports: a CSV or XLSX file into contacts, companies or leads, in three steps.

1. **Upload** (``POST /api/v1/imports``, the file as the body): the file goes to the file store; its
   columns, first rows and a suggested mapping come back (status ``uploaded``).
2. **Start** with a mapping (file column → field) and a dedupe choice (``on_match``: ``skip``,
   ``update`` or ``create``; ``fuzzy``: also match similar names at the same company): checked, then
   run by the ``crm.import`` job (``import_run``), which reports its phase, percentage and rows/s and
   can be cancelled. Nothing reaches the records unless the whole import finishes.
3. **Report**: counts (created, updated, skipped, failed) and, per failed row, its cells and what is
   wrong with them (row, column, message). Fixed rows are sent back as a **retry**: a new import of
   just those rows with the same mapping and choices.

Imports are the asker's: another member (even an admin) does not see them.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import datetime as dt
import io
import json
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import structlog
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm import custom_fields
from rapport.crm.import_fields import IMPORTABLE, import_fields, suggest_mapping
from rapport.crm.objects import LINKABLE
from rapport.crm.tables import Import
from rapport.identity.access import Access
from rapport.identity.principal import Principal
from rapport.kernel.db import transaction_connection
from rapport.kernel.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from rapport.kernel.files import file_store

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "STOPPABLE",
    "cancel_import",
    "failures_csv",
    "failures_page",
    "import_of",
    "list_imports",
    "read_rows",
    "retry_import",
    "run_lock",
    "settle_stopped",
    "start_import",
    "upload_import",
]

log = structlog.get_logger(__name__)

MAX_BYTES = 512 * 1024 * 1024
MAX_ROWS = 2_000_000
MAX_COLUMNS = 200
SAMPLE_ROWS = 5
ON_MATCH = ("skip", "update", "create")
XLSX_MAGIC = b"PK\x03\x04"
_COLUMNS_SET = {
    "full_name": ("first_name", "last_name"),
    "email": ("email", "emails"),
    "phone": ("phone", "phones"),
    "owner": ("owner_id",),
}
"""The record columns an import field sets, where they are not the field's own name."""


class FileProblem(ValueError):
    """The file cannot be read as a table (said to the person as a field error on ``file``)."""


def _encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes, else Windows-1252 (what spreadsheets save)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


class _Counting(io.RawIOBase):
    """A binary file that counts the bytes read (progress of a CSV file being read)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.consumed = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.consumed += len(data)
        return len(data)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(
    path: Path, fmt: str, options: Mapping[str, Any], progress: list[int] | None = None
) -> Iterator[list[str]]:
    """The file's rows as lists of texts, the header first. ``progress[0]`` follows the bytes read (CSV)."""
    if fmt == "xlsx":
        from openpyxl import load_workbook

        handle = path.open("rb")  # a file, not a name: openpyxl judges names by their extension
        workbook = load_workbook(handle, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            for values in sheet.iter_rows(values_only=True):
                yield [_cell_text(value) for value in values]
        finally:
            workbook.close()
            handle.close()
        return
    with path.open("rb") as raw:
        counting = _Counting(raw)
        text = io.TextIOWrapper(
            io.BufferedReader(counting, 1 << 20),
            encoding=options.get("encoding", "utf-8-sig"),
            errors="replace",
            newline="",
        )
        for cells in csv.reader(text, delimiter=options.get("delimiter", ",")):
            if progress is not None:
                progress[0] = counting.consumed
            yield cells


def _unique_headers(cells: list[str]) -> list[str]:
    headers: list[str] = []
    for position, cell in enumerate(cells):
        name = " ".join(cell.split())[:100] or f"Column {position + 1}"
        candidate, count = name, 1
        while candidate in headers:
            count += 1
            candidate = f"{name} ({count})"
        headers.append(candidate)
    while headers and headers[-1].startswith("Column ") and not cells[len(headers) - 1].strip():
        headers.pop()  # trailing empty columns (spreadsheets write them)
    return headers


def inspect_file(path: Path, filename: str) -> tuple[str, dict[str, Any], list[str], list[list[str]]]:
    """The format, reading options, column names and first rows of an uploaded file."""
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    if not head.strip():
        raise FileProblem("the file is empty")
    options: dict[str, Any] = {}
    if head.startswith(XLSX_MAGIC):
        fmt = "xlsx"
    elif filename.lower().endswith((".xlsx", ".xls", ".xlsm")):
        raise FileProblem("not a readable .xlsx workbook (save it as .xlsx or CSV)")
    elif b"\x00" in head:
        raise FileProblem("not a text file: upload CSV (UTF-8 or Windows-1252) or .xlsx")
    else:
        fmt = "csv"
        options["encoding"] = _encoding(head)
        options["delimiter"] = _delimiter(head.decode(options["encoding"], errors="replace"))
    try:
        rows = read_rows(path, fmt, options)
        header = next(rows, None)
        sample = [row for _, row in zip(range(SAMPLE_ROWS), rows, strict=False)]
    except Exception as exc:  # a broken workbook or CSV: openpyxl and csv raise many kinds
        raise FileProblem(f"the file cannot be read: {exc}") from None
    headers = _unique_headers(header or [])
    if not headers:
        raise FileProblem("the first row must name the columns")
    if len(headers) > MAX_COLUMNS:
        raise FileProblem(f"at most {MAX_COLUMNS} columns")
    return fmt, options, headers, [row[: len(headers)] for row in sample]


def _out(row: Mapping[str, Any]) -> dict[str, Any]:
    def loaded(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    status = row["status"]
    return {
        "id": row["id"],
        "object_type": row["object_type"],
        "filename": row["filename"],
        "format": row["format"],
        "size": row["size"],
        "status": status,
        "phase": row["phase"] or None,
        "headers": loaded(row["headers"]),
        "sample": loaded(row["sample"]),
        "mapping": loaded(row["mapping"]),
        "on_match": row["on_match"],
        "fuzzy": row["fuzzy"],
        "progress": {
            "percent": row["percent"],
            "rows_done": row["rows_done"],
            "rows_total": row["rows_total"],
            "rows_per_second": row["rate"],
        },
        "counts": {
            "created": row["created"],
            "updated": row["updated"],
            "skipped": row["skipped"],
            "failed": row["failed"],
        },
        "error": row["error"] or None,
        "cancel_requested": row["cancel_requested"],
        "retry_of": row["retry_of"],
        "created_at": row["created_at"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "failures_url": f"/api/v1/imports/{row['id']}/failures" if row["failed"] else None,
    }


async def _fields(object_type: str) -> dict[str, Any]:
    return import_fields(object_type, await custom_fields.field_definitions(object_type))


def _field_list(fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"name": f.name, "label": f.label} for f in fields.values()]


def _check_type(access: Access, object_type: str) -> None:
    if object_type not in IMPORTABLE:
        raise ValidationFailed(
            "This type cannot be imported.",
            errors=[FieldError("object_type", f"one of: {', '.join(IMPORTABLE)}")],
        )
    access.require(LINKABLE[object_type], "create")


async def upload_import(
    tenant: TenantContext,
    access: Access,
    principal: Principal,
    object_type: str,
    filename: str,
    path: Path,
    size: int,
) -> dict[str, Any]:
    """Keep an uploaded file and say what is in it: columns, first rows, a suggested mapping."""
    _check_type(access, object_type)
    try:
        fmt, options, headers, sample = await asyncio.to_thread(inspect_file, path, filename)
    except FileProblem as exc:
        raise ValidationFailed(
            "The file cannot be imported.", errors=[FieldError("file", str(exc))]
        ) from None
    key = f"t/{tenant.id}/imports/{uuid.uuid4().hex}.{fmt}"
    await file_store().put(key, path)  # before the transaction: an upload to S3 holds no connection
    async with tenant_transaction(tenant):
        row = Import(
            file_key=key,
            object_type=object_type,
            filename=filename[:255],
            format=fmt,
            size=size,
            headers=json.dumps(headers),
            sample=json.dumps(sample),
            options=json.dumps(options),
            user_id=principal.user_id,
            mapping=json.dumps({}),
        )
        await Import.insert(row)
    return await import_of(tenant, principal, row.id)


async def _mine(principal: Principal, import_id: int, *, lock: bool = False) -> dict[str, Any]:
    row = await transaction_connection().fetchrow(
        f"SELECT * FROM imports WHERE id = $1 AND user_id = $2{' FOR UPDATE' if lock else ''}",
        import_id,
        principal.user_id,
    )
    if row is None:
        raise NotFoundError(f"No import {import_id} of yours.")
    return dict(row)


def run_lock(schema: str, import_id: str) -> str:
    """SQL for the advisory lock key a running import's transaction holds, from two SQL expressions (the
    schema name as text, the import id). While it is held the run is alive; once a reader can take it, the
    run's transaction is gone (:func:`settle_stopped`; ``import_run`` takes it)."""
    return f"hashtextextended({schema} || ':import:' || {import_id}::text, 0)"


STOPPED = "The import stopped before it finished (its worker ended), so nothing was written. Start it again."
STOPPABLE = "status = 'running' AND (phase <> '' OR started_at < now() - interval '1 hour')"
"""An import that may have stopped: running, and past its claim (or claimed an hour ago). Whether its
run is alive is its lock's to say."""
_SETTLE_STOPPED = f"""
UPDATE imports SET status = 'failed', phase = '', finished_at = now(), error = '{STOPPED}'
WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2::bigint IS NULL OR id = $2) AND {STOPPABLE}
  AND pg_try_advisory_xact_lock({run_lock("$3", "id")})
RETURNING id, file_key
"""


async def settle_stopped(
    tenant: TenantContext, user_id: uuid.UUID | None, import_id: int | None = None
) -> None:
    """Mark as failed the running imports (of ``user_id``, or everyone's) whose run is gone (a worker
    killed or restarted), and drop their files.

    A run holds an advisory lock for as long as its transaction lives (``run_lock``), so a
    lock this transaction can take means nothing is running it any more, and its transaction rolled back.
    (A run takes its lock just after its claim; the hour covers a worker that died in between.)
    Readers settle the asker's imports; the ``crm.settle_stopped_imports`` sweep settles the rest.
    """
    stopped = await transaction_connection().fetch(_SETTLE_STOPPED, user_id, import_id, tenant.schema_name)
    for row in stopped:
        log.warning("import_stopped", import_id=row["id"])
        try:
            await file_store().delete(row["file_key"])
        except Exception:  # the file stays until the workspace is purged
            log.warning("import_file_not_deleted", import_id=row["id"], exc_info=True)


async def import_of(tenant: TenantContext, principal: Principal, import_id: int) -> dict[str, Any]:
    """An import's state; one waiting for its mapping also says the suggestion and the fields again."""
    async with tenant_transaction(tenant):
        await settle_stopped(tenant, principal.user_id, import_id)
        row = await _mine(principal, import_id)
        found = _out(row)
        if row["status"] == "uploaded":
            fields = await _fields(row["object_type"])
            found |= {"suggested_mapping": suggest_mapping(found["headers"], fields),
                      "fields": _field_list(fields)}  # fmt: skip
    return found


async def list_imports(
    tenant: TenantContext, principal: Principal, before: int | None, limit: int
) -> dict[str, Any]:
    async with tenant_transaction(tenant):
        await settle_stopped(tenant, principal.user_id)
        rows = await transaction_connection().fetch(
            "SELECT * FROM imports WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2) "
            "ORDER BY id DESC LIMIT $3",
            principal.user_id,
            before,
            limit + 1,
        )
    items = [_out(row) for row in rows[:limit]]
    return {"items": items, "next_cursor": str(items[-1]["id"]) if len(rows) > limit else None}


def _check_mapping(
    headers: list[str], mapping: Mapping[str, Any], fields: Mapping[str, Any]
) -> dict[str, str]:
    errors: list[FieldError] = []
    cleaned: dict[str, str] = {}
    for header, name in mapping.items():
        if name is None or name == "":
            continue
        if header not in headers:
            errors.append(FieldError(f"mapping.{header}", "no such column in the file"))
        elif name not in fields:
            errors.append(FieldError(f"mapping.{header}", f"no field {name!r} to import into"))
        elif name in cleaned.values():
            errors.append(FieldError(f"mapping.{header}", f"{name} is mapped from another column too"))
        else:
            cleaned[header] = name
    if not errors and not cleaned:
        errors.append(FieldError("mapping", "map at least one column to a field"))
    names = set(cleaned.values())
    if "full_name" in names and names & {"first_name", "last_name"}:
        errors.append(FieldError("mapping", "map either a full name or first and last names, not both"))
    if errors:
        raise ValidationFailed("The mapping is not valid.", errors=errors)
    return cleaned


async def start_import(
    tenant: TenantContext,
    access: Access,
    principal: Principal,
    import_id: int,
    mapping: Mapping[str, Any],
    on_match: str,
    fuzzy: bool,
) -> dict[str, Any]:
    """Check the mapping and the choices, then queue the job."""
    if on_match not in ON_MATCH:
        raise ValidationFailed("Unknown choice.", errors=[FieldError("on_match", "skip, update or create")])
    async with tenant_transaction(tenant):
        row = await _mine(principal, import_id, lock=True)
        _check_type(access, row["object_type"])
        if on_match == "update":
            access.require(LINKABLE[row["object_type"]], "update")
        if row["status"] != "uploaded":
            raise ConflictError(f"Import {import_id} is {row['status']}: it starts once.")
        cleaned = _check_mapping(json.loads(row["headers"]), mapping, await _fields(row["object_type"]))
        kind = LINKABLE[row["object_type"]]
        closed = access.read_only(kind.name)
        refused = [
            header
            for header, name in cleaned.items()
            if {kind.field_of(column) for column in _COLUMNS_SET.get(name, (name.split(".")[0],))} & closed
        ]
        if refused:
            raise ValidationFailed(
                "Your role may not set some of these fields.",
                errors=[FieldError(f"mapping.{header}", "not allowed for your role") for header in refused],
            )
        await Import.update(
            {
                Import.mapping: json.dumps(cleaned),
                Import.on_match: on_match,
                Import.fuzzy: fuzzy,
                Import.status: "queued",
            }
        ).where(Import.id == import_id)
    from rapport.crm.import_jobs import queue_import

    queue_import(tenant, import_id)
    return await import_of(tenant, principal, import_id)


async def cancel_import(tenant: TenantContext, principal: Principal, import_id: int) -> dict[str, Any]:
    """Ask a queued or running import to stop (it rolls back); an uploaded one is cancelled at once."""
    async with tenant_transaction(tenant):
        await settle_stopped(tenant, principal.user_id, import_id)
        row = await _mine(principal, import_id, lock=True)
        if row["status"] in ("done", "failed", "cancelled"):
            raise ConflictError(f"Import {import_id} is {row['status']} already.")
        if row["status"] == "uploaded":
            await file_store().delete(row["file_key"])
            await Import.update(
                {Import.status: "cancelled", Import.finished_at: dt.datetime.now(dt.UTC)}
            ).where(Import.id == import_id)
        else:
            await Import.update({Import.cancel_requested: True}).where(Import.id == import_id)
    return await import_of(tenant, principal, import_id)


async def failures_page(
    tenant: TenantContext, principal: Principal, import_id: int, after: int | None, limit: int
) -> dict[str, Any]:
    """The failed rows in file order (keyset on the row number), each with its cells and errors."""
    async with tenant_transaction(tenant):
        row = await _mine(principal, import_id)
        rows = await transaction_connection().fetch(
            "SELECT row_number, cells, errors FROM import_failures WHERE import_id = $1 "
            "AND ($2::int IS NULL OR row_number > $2) ORDER BY row_number LIMIT $3",
            import_id,
            after,
            limit + 1,
        )
    items = [
        {"row": r["row_number"], "cells": json.loads(r["cells"]), "errors": json.loads(r["errors"])}
        for r in rows[:limit]
    ]
    return {
        "items": items,
        "failed": row["failed"],
        "reported": min(row["failed"], MAX_REPORTED),
        "next_cursor": str(items[-1]["row"]) if len(rows) > limit else None,
    }


MAX_REPORTED = 10_000
"""Failed rows kept with their cells and errors; more are counted only."""


async def failures_csv(tenant: TenantContext, principal: Principal, import_id: int) -> bytes:
    """The failed rows as CSV: the original columns plus ``Row`` and ``Errors``, to fix and upload."""
    async with tenant_transaction(tenant):
        row = await _mine(principal, import_id)
        rows = await transaction_connection().fetch(
            "SELECT row_number, cells, errors FROM import_failures WHERE import_id = $1 ORDER BY row_number",
            import_id,
        )
    headers = json.loads(row["headers"])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*headers, "Row", "Errors"])
    for failure in rows:
        cells, errors = json.loads(failure["cells"]), json.loads(failure["errors"])
        described = "; ".join(f"{e['column'] or 'row'}: {e['message']}" for e in errors)
        writer.writerow([*(cells.get(h, "") for h in headers), failure["row_number"], described])
    return buffer.getvalue().encode("utf-8-sig")


async def retry_import(
    tenant: TenantContext,
    access: Access,
    principal: Principal,
    import_id: int,
    rows: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """A new import of the fixed rows (``[{"row": n, "cells": {column: text}}]``), started at once."""
    async with tenant_transaction(tenant):
        original = await _mine(principal, import_id)
    if original["status"] != "done":
        raise ConflictError(f"Import {import_id} is {original['status']}; only a finished import is retried.")
    headers: list[str] = json.loads(original["headers"])
    errors = [
        FieldError(f"rows.{i}.cells", "an object of texts by column of the file")
        for i, entry in enumerate(rows)
        if not isinstance(entry.get("cells"), dict)
        or any(k not in headers or not isinstance(v, str) for k, v in entry["cells"].items())
    ]
    if errors or not rows:
        raise ValidationFailed("The rows are not valid.", errors=errors or [FieldError("rows", "no rows")])
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "retry.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            for entry in rows:
                writer.writerow([entry["cells"].get(h, "") for h in headers])
        filename = f"retry of {original['filename']}"[:255]
        created = await upload_import(
            tenant, access, principal, original["object_type"], filename, path, path.stat().st_size
        )
    async with tenant_transaction(tenant):
        await Import.update({Import.retry_of: import_id}).where(Import.id == created["id"])
    return await start_import(
        tenant,
        access,
        principal,
        created["id"],
        json.loads(original["mapping"]),
        original["on_match"],
        original["fuzzy"],
    )
