"""The ``crm.export`` job: replay an export's list request as its member, page by page, into a file."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import msgspec
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.custom_fields import extend_spec
from rapport.crm.exports import export_request
from rapport.crm.listing import list_page
from rapport.crm.objects import LINKABLE, LISTS
from rapport.crm.tables import Export
from rapport.identity.access import load_access
from rapport.identity.principal import Principal
from rapport.kernel.files import file_store, tenant_prefix
from rapport.kernel.jobs import TENANT_OPTION, tenant_actor

__all__ = ["queue_export", "run_export"]


def queue_export(tenant: TenantContext, export_id: int) -> None:
    options: dict[str, Any] = {TENANT_OPTION: tenant.as_message()}
    run_export.send_with_options(args=(export_id,), **options)


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value if value is None or isinstance(value, int | float | str | bool) else str(value)


async def _set(export_id: int, tenant: TenantContext, **values: Any) -> None:
    async with tenant_transaction(tenant):
        await Export.update({getattr(Export, name): value for name, value in values.items()}).where(
            Export.id == export_id
        )


@tenant_actor(actor_name="crm.export", max_retries=2)
async def run_export(tenant: TenantContext, export_id: int) -> None:
    async with tenant_transaction(tenant) as transaction:
        row = await Export.select().where(Export.id == export_id).first()
        role = await transaction.connection.fetchval(
            "SELECT role FROM memberships WHERE user_id = $1 AND active", row["user_id"] if row else None
        )
    if row is None or row["status"] in ("done", "failed", "expired"):
        return
    if role is None:
        await _set(export_id, tenant, status="failed", error="the member left the workspace")
        return
    await _set(export_id, tenant, status="running", rows=0)
    principal = Principal(user_id=row["user_id"], email="", tenant_id=tenant.id, role=role, via="export")
    try:
        access = await load_access(tenant, principal)
        spec = LISTS[row["object_type"]]
        if spec.kind.name in LINKABLE:
            spec = await extend_spec(tenant, spec)
        access.require(spec.kind, "export")
        key = f"{tenant_prefix(tenant.id)}exports/{export_id}.{row['format']}"
        async with file_store().writing(key) as path:  # stored only if the whole file was written
            written = await _write(tenant, access, spec, export_request(row), path, row["format"], export_id)
    except Exception as exc:
        await _set(export_id, tenant, status="failed", error=f"{type(exc).__name__}: {exc}"[:500])
        return
    await _set(
        export_id, tenant, status="done", rows=written, file_key=key, finished_at=dt.datetime.now(dt.UTC)
    )


class _Sink:
    """Rows into a CSV file, or into a write-only XLSX workbook saved at the end."""

    def __init__(self, path: Path, fmt: str, title: str) -> None:
        self.path, self.workbook, self.handle = path, None, None
        if fmt == "xlsx":
            from openpyxl import Workbook

            self.workbook = Workbook(write_only=True)
            self.sheet = self.workbook.create_sheet(title)
        else:
            self.handle = path.open("w", newline="", encoding="utf-8")
            self.writer = csv.writer(self.handle)

    def row(self, values: list[Any]) -> None:
        if self.workbook is not None:
            self.sheet.append(values)
        else:
            self.writer.writerow(values)

    def close(self) -> None:
        if self.workbook is not None:
            self.workbook.save(self.path)
        if self.handle is not None:
            self.handle.close()


def _plain(value: Any) -> Any:
    """A list cell as a file cell: JSON (kept raw by the list) as JSON text, times as ISO text."""
    if isinstance(value, msgspec.Raw):
        return bytes(value).decode()
    return _cell(value)


async def _write(
    tenant: TenantContext, access: Any, spec: Any, request: Any, path: Path, fmt: str, export_id: int
) -> int:
    written = 0
    header: list[str] = []
    sink = _Sink(path, fmt, spec.kind.label)
    try:
        while True:
            page = await list_page(tenant, access, spec, request)
            for item in page.items:
                if not header:
                    header = list(item)
                    sink.row(header)
                sink.row([_plain(item.get(name)) for name in header])
            written += len(page.items)
            await _set(export_id, tenant, rows=written)
            if page.next_cursor is None:
                break
            request = dataclasses.replace(request, cursor=page.next_cursor)
        if not header:
            sink.row(["id"])
    finally:
        sink.close()
    return written
