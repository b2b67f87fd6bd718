"""The permission-aware query layer: every read and write of an object type's records goes through here.

Each function takes the caller's :class:`~rapport.identity.access.Access` and applies, in SQL, the row
scope (a record outside it does not exist for the caller: 404, never 403) and the field rules (hidden
columns are never selected, read-only ones never written). Writes record an audit row with the before and
after of every changed field, and a domain event (``<kind>.created|updated|deleted``), in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from piccolo.columns.defaults.base import Default
from piccolo.utils.encoding import dump_json
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.events.outbox import ALSO_FIRST_PLACEHOLDER, NewEvent, emit
from rapport.identity import audit
from rapport.identity.access import Access, PermissionDenied
from rapport.identity.audit import Actor
from rapport.kernel.db import transaction_connection
from rapport.kernel.errors import NotFoundError
from rapport.kernel.objects import ObjectType

__all__ = [
    "apply_create",
    "apply_update",
    "create_record",
    "delete_record",
    "delete_record_in",
    "get_record",
    "iter_records",
    "list_records",
    "restore_record",
    "restore_record_in",
    "scoped_row",
    "update_record",
]


async def _written(
    actor: Actor, action: str, kind: ObjectType, record_id: object, changes: Mapping[str, tuple[Any, Any]]
) -> None:
    """The audit row and the domain event of a write, in its transaction (one statement)."""
    audit_row = audit.insert_statement(
        actor, action, kind.name, record_id, dict(changes), first=ALSO_FIRST_PLACEHOLDER
    )
    await emit(
        NewEvent(
            action,
            kind.name,
            record_id,
            {name: list(pair) for name, pair in changes.items()},
            actor.user_id,
            actor.label,
        ),
        also=audit_row,
    )


def _decoded(kind: ObjectType, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row with its JSON columns parsed (asyncpg hands ``jsonb`` over as text)."""
    out = dict(row)
    for column in kind.table._meta.json_columns:
        name = column._meta.name
        if isinstance(out.get(name), str):
            out[name] = json.loads(out[name])
    return out


def _scoped(access: Access, kind: ObjectType, query: Any, *, deleted: bool = False) -> Any:
    """Limit ``query`` to the caller's row scope, and to live (or, ``deleted``, soft-deleted) records."""
    row_filter = access.row_filter(kind)
    if kind.deleted_field is not None:
        column = kind.column(kind.deleted_field)
        query = query.where(column.is_not_null() if deleted else column.is_null())
    return query if row_filter is None else query.where(row_filter)


def _select(access: Access, kind: ObjectType) -> Any:
    return _scoped(access, kind, kind.table.select(*access.visible_columns(kind)))


async def list_records(
    tenant: TenantContext,
    access: Access,
    kind: ObjectType,
    *,
    after: int | None = None,
    limit: int = 50,
    search: tuple[str, str] | None = None,
) -> list[dict[str, Any]]:
    """A page of visible records in id order (keyset: pass the last id as ``after``).

    ``search`` is ``(field, text)``: a case-insensitive substring match on one field, refused on a
    field the caller cannot see (matching on it would reveal its values).
    """
    access.require(kind, "read")
    id_column = kind.column(kind.id_field)
    query = _select(access, kind).order_by(id_column).limit(limit)
    if after is not None:
        query = query.where(id_column > after)
    if search is not None:
        name, text = search
        access.check_fields(kind, [name], writing=False)
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(kind.column(name).ilike(f"%{escaped}%"))
    async with tenant_transaction(tenant):
        rows: list[dict[str, Any]] = await query
    return [_decoded(kind, row) for row in rows]


async def iter_records(
    tenant: TenantContext, access: Access, kind: ObjectType, batch: int = 1000
) -> AsyncIterator[list[dict[str, Any]]]:
    """Every visible record, a batch at a time, for exports (which need the ``export`` operation)."""
    access.require(kind, "export")
    after: int | None = None
    while True:
        id_column = kind.column(kind.id_field)
        query = _select(access, kind).order_by(id_column).limit(batch)
        if after is not None:
            query = query.where(id_column > after)
        async with tenant_transaction(tenant):
            rows = [_decoded(kind, row) for row in await query]
        if not rows:
            return
        yield rows
        after = rows[-1][kind.id_field]


async def get_record(
    tenant: TenantContext, access: Access, kind: ObjectType, record_id: int
) -> dict[str, Any]:
    access.require(kind, "read")
    async with tenant_transaction(tenant):
        row = await _select(access, kind).where(kind.column(kind.id_field) == record_id).first()
    if row is None:
        raise NotFoundError(f"No {kind.label} with id {record_id}.")
    return _decoded(kind, row)


def _check_owner(access: Access, kind: ObjectType, owner_id: Any) -> None:
    if not access.may_own(kind, owner_id):
        raise PermissionDenied(
            f"The role {access.role.name} may not give a {kind.label} to someone outside its row scope.",
            errors=[],
        )


async def create_record(
    tenant: TenantContext, access: Access, actor: Actor, kind: ObjectType, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Insert a record owned by the caller unless ``values`` names another owner within their scope."""
    async with tenant_transaction(tenant):
        return await apply_create(access, actor, kind, values)


async def apply_create(
    access: Access, actor: Actor, kind: ObjectType, values: Mapping[str, Any]
) -> dict[str, Any]:
    """:func:`create_record` inside the caller's open tenant transaction."""
    access.require(kind, "create")
    access.check_fields(kind, [name for name in values if name != kind.owner_field], writing=True)
    values = {kind.owner_field: access.user_id, **values}
    _check_owner(access, kind, values[kind.owner_field])
    statement, columns, known = _insert_statement(kind.table, tuple(access.visible_columns(kind)))
    unknown = values.keys() - known
    if unknown:
        raise ValueError(f"Unrecognized columns - {sorted(unknown)}")
    inserted = await transaction_connection().fetchrow(
        statement,
        *[_sql_value(values[column.name], column.json) if column.name in values else column.default()
          for column in columns],
    )  # fmt: skip
    row = _decoded(kind, inserted)
    changes = {name: (None, value) for name, value in values.items()}
    await _written(actor, f"{kind.name}.created", kind, row[kind.id_field], changes)
    return row


@dataclass(frozen=True, slots=True)
class _InsertColumn:
    name: str
    json: bool
    default: Callable[[], Any]
    """What Piccolo would insert when the column is left out (its default, called if it is one)."""


@functools.lru_cache(maxsize=512)
def _insert_statement(
    table: Any, returning: tuple[Any, ...]
) -> tuple[str, tuple[_InsertColumn, ...], frozenset[str]]:
    """An INSERT of every column but the key, returning ``returning``; how to fill each column; their names.

    Raw SQL built once per table and visible columns: a create is the hot write, and building a Piccolo
    insert (a ``Table`` instance, its foreign-key proxies, a query string) cost more than the statement.
    """
    json_names = {column._meta.name for column in table._meta.json_columns}
    writable = [column for column in table._meta.columns if not column._meta.primary_key]
    columns = tuple(
        _InsertColumn(name, name in json_names, _default_of(column, name in json_names))
        for column, name in ((column, column._meta.name) for column in writable)
    )
    names = ", ".join(f'"{column._meta.db_column_name}"' for column in writable)
    places = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    back = ", ".join(f'"{column._meta.db_column_name}" AS "{column._meta.name}"' for column in returning)
    into = table._meta.get_formatted_tablename()
    statement = f"INSERT INTO {into} ({names}) VALUES ({places}) RETURNING {back}"
    return statement, columns, frozenset(column.name for column in columns)


def _default_of(column: Any, json_column: bool) -> Callable[[], Any]:
    default = getattr(column, "default", ...)
    if default is ...:
        return lambda: None
    if isinstance(default, Default):
        return lambda: _sql_value(default.python(), json_column)
    if callable(default):
        return lambda: _sql_value(default(), json_column)
    constant = _sql_value(default, json_column)
    return lambda: constant


def _sql_value(value: Any, json_column: bool) -> Any:
    if isinstance(value, Enum):
        return value.value
    if json_column and value is not None and not isinstance(value, str):
        return dump_json(value)  # as Piccolo writes JSON (ids and times as text)
    return value


async def update_record(
    tenant: TenantContext,
    access: Access,
    actor: Actor,
    kind: ObjectType,
    record_id: int,
    values: Mapping[str, Any],
) -> dict[str, Any]:
    """Change fields of a record in the caller's scope; hidden and read-only fields are refused."""
    async with tenant_transaction(tenant):
        return await apply_update(access, actor, kind, record_id, values)


async def apply_update(
    access: Access, actor: Actor, kind: ObjectType, record_id: int, values: Mapping[str, Any]
) -> dict[str, Any]:
    """:func:`update_record` inside the caller's open tenant transaction (automation actions use it)."""
    access.require(kind, "update")
    access.check_fields(kind, values, writing=True)
    if kind.owner_field in values:
        _check_owner(access, kind, values[kind.owner_field])
    id_column = kind.column(kind.id_field)
    before = await _scoped(access, kind, kind.table.select().where(id_column == record_id)).first()
    if before is None:
        raise NotFoundError(f"No {kind.label} with id {record_id}.")
    before = _decoded(kind, before)  # JSON columns as values, so an unchanged list or object is no change
    changes = {name: (before[name], value) for name, value in values.items() if before[name] != value}
    if changes:
        assignments = {kind.column(name): value for name, value in values.items()}
        if any(column._meta.name == "updated_at" for column in kind.table._meta.columns):
            assignments[kind.column("updated_at")] = dt.datetime.now(dt.UTC)
        await kind.table.update(assignments).where(id_column == record_id)
        await _written(actor, f"{kind.name}.updated", kind, record_id, changes)
    after = await kind.table.select(*access.visible_columns(kind)).where(id_column == record_id).first()
    return _decoded(kind, after)


async def scoped_row(access: Access, kind: ObjectType, record_id: int) -> dict[str, Any]:
    """The whole current row of a live record in the caller's scope (for services' validation), or 404."""
    query = kind.table.select().where(kind.column(kind.id_field) == record_id)
    row = await _scoped(access, kind, query).first()
    if row is None:
        raise NotFoundError(f"No {kind.label} with id {record_id}.")
    return _decoded(kind, row)


async def delete_record(
    tenant: TenantContext, access: Access, actor: Actor, kind: ObjectType, record_id: int
) -> None:
    """Delete a record in the caller's scope: soft (restorable) when the object type has a deleted field."""
    async with tenant_transaction(tenant):
        await delete_record_in(access, actor, kind, record_id)


async def delete_record_in(access: Access, actor: Actor, kind: ObjectType, record_id: int) -> None:
    """:func:`delete_record` inside the caller's open tenant transaction (merging uses it)."""
    access.require(kind, "delete")
    id_column = kind.column(kind.id_field)
    before = await _scoped(access, kind, kind.table.select().where(id_column == record_id)).first()
    if before is None:
        raise NotFoundError(f"No {kind.label} with id {record_id}.")
    changes: dict[str, tuple[Any, Any]]
    if kind.deleted_field is None:
        await kind.table.delete().where(id_column == record_id)
        changes = {name: (value, None) for name, value in before.items()}
    else:
        now = dt.datetime.now(dt.UTC)
        await kind.table.update({kind.column(kind.deleted_field): now}).where(id_column == record_id)
        changes = {kind.deleted_field: (None, now)}
    await _written(actor, f"{kind.name}.deleted", kind, record_id, changes)


async def restore_record(
    tenant: TenantContext, access: Access, actor: Actor, kind: ObjectType, record_id: int
) -> dict[str, Any]:
    """Bring back a soft-deleted record (needs the delete permission and the record in scope)."""
    async with tenant_transaction(tenant):
        return await restore_record_in(access, actor, kind, record_id)


async def restore_record_in(access: Access, actor: Actor, kind: ObjectType, record_id: int) -> dict[str, Any]:
    """:func:`restore_record` inside the caller's open tenant transaction (undoing a merge uses it)."""
    access.require(kind, "delete")
    if kind.deleted_field is None:
        raise NotFoundError(f"{kind.label} records cannot be restored.")
    id_column = kind.column(kind.id_field)
    query = kind.table.select(kind.column(kind.deleted_field)).where(id_column == record_id)
    before = await _scoped(access, kind, query, deleted=True).first()
    if before is None:
        raise NotFoundError(f"No deleted {kind.label} with id {record_id}.")
    await kind.table.update({kind.column(kind.deleted_field): None}).where(id_column == record_id)
    await _written(
        actor,
        f"{kind.name}.restored",
        kind,
        record_id,
        {kind.deleted_field: (before[kind.deleted_field], None)},
    )
    row = await _select(access, kind).where(id_column == record_id).first()
    return _decoded(kind, row)
