"""Exports: any list (filters, sort, fields, search, a saved view) to CSV or XLSX, written by a job.

The request is checked when it is made (the same checks as the list), kept with the export, and replayed
by the ``crm.export`` job page by page (keyset, 1,000 rows a page) with the asking member's *current*
role: row scope and hidden fields apply exactly as in the list, and the ``export`` permission is needed.
Progress (rows written) is saved after every page; the file goes to the tenant's prefix of the file
store (local disk or S3) and is downloaded by the person who asked, for a week (``export_expiry``).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.listing import ListRequest, list_page
from rapport.crm.objects import LISTS
from rapport.crm.tables import Export
from rapport.identity.access import Access
from rapport.identity.principal import Principal
from rapport.kernel.errors import FieldError, NotFoundError, ValidationFailed

__all__ = ["FORMATS", "export_of", "export_request", "list_exports", "start_export"]

FORMATS = ("csv", "xlsx")
PAGE = 1_000


def export_request(row: dict[str, Any]) -> ListRequest:
    raw = row["request"] if isinstance(row["request"], dict) else json.loads(row["request"])
    return ListRequest(
        filter=raw.get("filter") or {}, sort=raw.get("sort") or "id", cursor=None, limit=PAGE,
        fields=tuple(raw.get("fields") or ()), q=raw.get("q"),
    )  # fmt: skip


async def start_export(
    tenant: TenantContext,
    access: Access,
    principal: Principal,
    object_type: str,
    fmt: str,
    request: ListRequest,
) -> dict[str, Any]:
    """Check the request like the list would, remember it, and queue the job; the export's state."""
    spec = LISTS.get(object_type)
    if spec is None:
        raise ValidationFailed(
            "Unknown type.", errors=[FieldError("object_type", f"one of: {', '.join(LISTS)}")]
        )
    if fmt not in FORMATS:
        raise ValidationFailed("Unknown format.", errors=[FieldError("format", "csv or xlsx")])
    access.require(spec.kind, "export")
    await list_page(tenant, access, spec, dataclasses.replace(request, limit=1, cursor=None))
    saved = {"filter": request.filter, "sort": request.sort, "fields": list(request.fields), "q": request.q}
    row = Export(
        object_type=object_type, format=fmt, request=json.dumps(saved), user_id=principal.user_id,
        role=principal.role,
    )  # fmt: skip
    async with tenant_transaction(tenant):
        await Export.insert(row)
    from rapport.crm.export_jobs import queue_export

    queue_export(tenant, row.id)
    return await export_of(tenant, principal, row.id)


def _out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "object_type": row["object_type"], "format": row["format"], "status": row["status"],
        "rows": row["rows"], "error": row["error"] or None, "created_at": row["created_at"],
        "finished_at": row["finished_at"],
        "download_url": f"/api/v1/exports/{row['id']}/download" if row["status"] == "done" else None,
    }  # fmt: skip


async def export_of(tenant: TenantContext, principal: Principal, export_id: int) -> dict[str, Any]:
    async with tenant_transaction(tenant):
        row = (
            await Export.select()
            .where((Export.id == export_id) & (Export.user_id == principal.user_id))
            .first()
        )
    if row is None:
        raise NotFoundError(f"No export {export_id} of yours.")
    return _out(row) | {"file_key": row["file_key"]}


async def list_exports(tenant: TenantContext, principal: Principal) -> list[dict[str, Any]]:
    async with tenant_transaction(tenant):
        rows = (
            await Export.select()
            .where(Export.user_id == principal.user_id)
            .order_by(Export.id, ascending=False)
            .limit(50)
        )
    return [_out(row) for row in rows]
