"""``/api/v1/audit``: the tenant's audit log for owners and admins, filtered, paginated, exportable."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, QueryParameter
from litestar.response import Stream
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.identity.audit import AuditFilter, audit_page, iter_audit
from rapport.identity.guards import requires_role
from rapport.identity.tables import Role

__all__ = ["AuditController"]

EXPORT_COLUMNS = [
    "id", "occurred_at", "action", "actor_user_id", "actor", "via", "ip",
    "object_type", "object_id", "changes", "request_id",
]  # fmt: skip


class AuditEventOut(msgspec.Struct):
    id: int
    occurred_at: dt.datetime
    action: str
    actor_user_id: uuid.UUID | None
    actor: str
    via: str
    ip: str | None
    object_type: str
    object_id: str
    changes: dict[str, Any]
    request_id: str | None


class AuditPage(msgspec.Struct):
    items: list[AuditEventOut]
    next_cursor: int | None


def _filter(
    action: Annotated[str | None, QueryParameter(max_length=100)] = None,
    actor_user_id: FromQuery[uuid.UUID | None] = None,
    object_type: Annotated[str | None, QueryParameter(max_length=50)] = None,
    object_id: Annotated[str | None, QueryParameter(max_length=100)] = None,
    since: FromQuery[dt.datetime | None] = None,
    until: FromQuery[dt.datetime | None] = None,
) -> AuditFilter:
    return AuditFilter(action, actor_user_id, object_type, object_id, since, until)


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    guards = [requires_role(Role.OWNER, Role.ADMIN)]
    dependencies = {"where": Provide(_filter, sync_to_thread=False)}

    @get("/", summary="Audit events, newest first (keyset: pass next_cursor as cursor)")
    async def events(
        self,
        tenant: NamedDependency[TenantContext],
        where: NamedDependency[AuditFilter],
        cursor: FromQuery[int | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> AuditPage:
        async with tenant_transaction(tenant):
            rows = await audit_page(where, cursor, limit + 1)
        items = [AuditEventOut(**row) for row in rows[:limit]]
        return AuditPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)

    @get("/export", summary="Every matching event as CSV or JSON Lines (streamed)")
    async def export(
        self,
        tenant: NamedDependency[TenantContext],
        where: NamedDependency[AuditFilter],
        format: FromQuery[Literal["csv", "jsonl"]] = "csv",  # noqa: A002 - the query parameter's name
    ) -> Response[Any]:
        media_type = "text/csv" if format == "csv" else "application/x-ndjson"
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        return Stream(
            _export_lines(tenant, where, format),
            media_type=media_type,
            headers={"Content-Disposition": f"attachment; filename=audit-{tenant.slug}-{stamp}.{format}"},
        )


async def _export_lines(tenant: TenantContext, where: AuditFilter, format: str) -> AsyncIterator[str]:  # noqa: A002
    if format == "csv":
        yield _csv_line(EXPORT_COLUMNS)
    async with tenant_transaction(tenant):
        async for rows in iter_audit(where):
            for row in rows:
                if format == "csv":
                    yield _csv_line([_cell(row[column]) for column in EXPORT_COLUMNS])
                else:
                    yield json.dumps({column: row[column] for column in EXPORT_COLUMNS}, default=str) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return str(value)


def _csv_line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()
