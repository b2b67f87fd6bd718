"""Saved views: a list's filter, sort, columns and kanban grouping, per person or shared with the workspace.

A view is checked when saved exactly as a list request would be (fields, operators, sort, hidden fields),
so applying it (``GET /api/v1/contacts?view=<id>``) cannot fail later on what was accepted now. Everyone
may keep views; shared views are visible to all members; a shared view is changed by its author or an
owner/admin.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.custom_fields import extend_spec, list_fields
from rapport.crm.listing import ListRequest, _Sql, list_columns, parse_filter
from rapport.crm.objects import LINKABLE, LISTS
from rapport.crm.tables import SavedView
from rapport.identity.access import Access
from rapport.identity.principal import Principal
from rapport.kernel.errors import FieldError, ForbiddenError, NotFoundError, ValidationFailed

__all__ = ["apply_view", "check_view", "delete_view", "list_views", "save_view", "update_view"]

MAX_VIEWS_PER_PERSON = 200
GROUPABLE_KINDS = ("text", "id", "uuid", "boolean")


async def check_view(tenant: TenantContext, access: Access, values: dict[str, Any]) -> None:
    """The view would make a valid list request for this member; 422 with the field otherwise."""
    spec = LISTS.get(values["object_type"])
    if spec is not None and spec.kind.name in LINKABLE:
        spec = await extend_spec(tenant, spec)
    if spec is None:
        raise ValidationFailed(
            "The view is not valid.", errors=[FieldError("object_type", f"one of: {', '.join(LISTS)}")]
        )
    access.require(spec.kind, "read")
    parse_filter(spec, access, values.get("filter") or {}, _Sql())
    sort_name = str(values.get("sort") or "id").lstrip("-")
    if sort_name not in spec.fields or not spec.fields[sort_name].sortable:
        sortable = sorted(name for name, item in spec.fields.items() if item.sortable)
        raise ValidationFailed(
            "The view is not valid.", errors=[FieldError("sort", f"one of: {', '.join(sortable)}")]
        )
    columns = values.get("columns") or []
    allowed = [*spec.columns, *(["tags"] if "tag" in spec.fields else [])]
    if spec.kind.name in LINKABLE:
        allowed += [f"custom.{field['key']}" for field in await list_fields(tenant, spec.kind.name)]
    unknown = [name for name in columns if name not in allowed]
    if unknown:
        raise ValidationFailed(
            "The view is not valid.",
            errors=[FieldError("columns", f"choose from: {', '.join(allowed)}")],
        )
    access.check_fields(spec.kind, [name for name in list_columns(columns) if name != "tags"], writing=False)
    group_by = values.get("group_by")
    if group_by is not None:
        field = spec.fields.get(group_by)
        if field is None or field.kind not in GROUPABLE_KINDS:
            groupable = sorted(name for name, item in spec.fields.items() if item.kind in GROUPABLE_KINDS)
            raise ValidationFailed(
                "The view is not valid.", errors=[FieldError("group_by", f"one of: {', '.join(groupable)}")]
            )
        access.check_fields(spec.kind, [group_by], writing=False)


def _out(row: dict[str, Any]) -> dict[str, Any]:
    decoded = dict(row)
    for name in ("filter", "columns"):
        if isinstance(decoded[name], str):
            decoded[name] = json.loads(decoded[name])
    return decoded


async def list_views(tenant: TenantContext, principal: Principal, object_type: str) -> list[dict[str, Any]]:
    """This person's views and the shared ones for ``object_type``, in their order."""
    async with tenant_transaction(tenant):
        rows = (
            await SavedView.select()
            .where(
                (SavedView.object_type == object_type)
                & ((SavedView.user_id == principal.user_id) | (SavedView.shared == True))  # noqa: E712
            )
            .order_by(SavedView.position)
            .order_by(SavedView.id)
        )
    return [_out(row) for row in rows]


async def save_view(
    tenant: TenantContext, access: Access, principal: Principal, values: dict[str, Any]
) -> dict[str, Any]:
    await check_view(tenant, access, values)
    async with tenant_transaction(tenant):
        mine = await SavedView.count().where(SavedView.user_id == principal.user_id)
        if mine >= MAX_VIEWS_PER_PERSON:
            raise ValidationFailed(
                "Too many views.",
                errors=[FieldError("name", f"at most {MAX_VIEWS_PER_PERSON} views per person")],
            )
        row = SavedView(
            **{
                **values,
                "filter": json.dumps(values.get("filter") or {}),
                "columns": json.dumps(values.get("columns") or []),
            },
            user_id=principal.user_id,
        )
        await SavedView.insert(row)
        saved = await SavedView.select().where(SavedView.id == row.id).first()
    assert saved is not None
    return _out(saved)


async def _editable(principal: Principal, view_id: int) -> dict[str, Any]:
    row = await SavedView.select().where(SavedView.id == view_id).first()
    if row is None or (row["user_id"] != principal.user_id and not row["shared"]):
        raise NotFoundError(f"No view {view_id}.")
    if row["user_id"] != principal.user_id and principal.role not in ("owner", "admin"):
        raise ForbiddenError("Only its author or an owner or admin may change a shared view.")
    return _out(row)


async def update_view(
    tenant: TenantContext, access: Access, principal: Principal, view_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    async with tenant_transaction(tenant):
        current = await _editable(principal, view_id)
    await check_view(tenant, access, {**current, **changes})
    async with tenant_transaction(tenant):
        await _editable(principal, view_id)
        stored = {
            getattr(SavedView, name): json.dumps(value) if name in ("filter", "columns") else value
            for name, value in changes.items()
        }
        await SavedView.update({**stored, SavedView.updated_at: dt.datetime.now(dt.UTC)}).where(
            SavedView.id == view_id
        )
        row = await SavedView.select().where(SavedView.id == view_id).first()
    assert row is not None
    return _out(row)


async def delete_view(tenant: TenantContext, principal: Principal, view_id: int) -> None:
    async with tenant_transaction(tenant):
        await _editable(principal, view_id)
        await SavedView.delete().where(SavedView.id == view_id)


async def apply_view(
    tenant: TenantContext, principal: Principal, object_type: str, view_id: int, request: ListRequest
) -> ListRequest:
    """The list request with the view's filter (ANDed with any given), sort and columns as defaults."""
    async with tenant_transaction(tenant):
        row = (
            await SavedView.select()
            .where(
                (SavedView.id == view_id)
                & (SavedView.object_type == object_type)
                & ((SavedView.user_id == principal.user_id) | (SavedView.shared == True))  # noqa: E712
            )
            .first()
        )
    if row is None:
        raise NotFoundError(f"No {object_type} view {view_id}.")
    view = _out(row)
    tree = view["filter"] or {}
    if request.filter and tree:
        tree = {"and": [tree, request.filter]}
    elif request.filter:
        tree = request.filter
    return ListRequest(
        filter=tree,
        sort=request.sort if request.sort != "id" else view["sort"],
        cursor=request.cursor,
        limit=request.limit,
        fields=request.fields or tuple(view["columns"]),
        q=request.q,
    )
