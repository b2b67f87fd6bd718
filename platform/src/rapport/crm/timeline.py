"""A record's timeline, newest first: activities, notes, its field changes (from the audit log) and deals.

One ``UNION ALL`` query; each part is limited and ordered by an index of its own, and the page is cut by a
keyset cursor on ``(at, type, id)``. Every part obeys the caller's role: parts whose object type they may
not read are left out, row scope applies to activities, notes and deals, and hidden fields are dropped from
the items and from the field changes.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.objects import ACTIVITY, COMPANY, CONTACT, DEAL, LISTS, NOTE
from rapport.identity import records
from rapport.identity.access import Access
from rapport.kernel.errors import FieldError, ValidationFailed
from rapport.kernel.objects import ObjectType

__all__ = ["TimelinePage", "timeline"]

_DEAL_LINK = {COMPANY.name: "company", CONTACT.name: "contact"}
_CHANGE_ACTIONS = ("created", "updated", "deleted", "restored", "imported")


@dataclass(frozen=True, slots=True)
class TimelinePage:
    items: list[dict[str, Any]]
    next_cursor: str | None


class _Sql:
    def __init__(self) -> None:
        self.args: list[Any] = []

    def add(self, value: Any, cast: str) -> str:
        self.args.append(value)
        return f"${len(self.args)}::{cast}"


def _cursor(cursor: str | None) -> tuple[dt.datetime, str, int] | None:
    if cursor is None:
        return None
    try:
        at, kind, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return dt.datetime.fromisoformat(at), str(kind), int(row_id)
    except (ValueError, TypeError):
        raise ValidationFailed(
            "The cursor is not valid.", errors=[FieldError("cursor", "use next_cursor as given")]
        ) from None


def _encode(item: dict[str, Any]) -> str:
    plain = json.dumps([item["at"].isoformat(), item["type"], item["id"]])
    return base64.urlsafe_b64encode(plain.encode()).decode().rstrip("=")


def _part(
    access: Access, kind: ObjectType, sql: _Sql, where: list[str], at: str, after: Any, limit: int
) -> str | None:
    """One part's SELECT: visible columns as JSON, live rows in scope, after the cursor, newest first."""
    if not access.allows(kind.name, "read"):
        return None
    hidden = kind.columns_of(access.hidden(kind.name))
    columns = [name for name in LISTS[kind.name].columns if name not in hidden]
    data = ", ".join(f"'{name}', {name}" for name in columns)
    conditions = [*where, "deleted_at IS NULL"]
    owners = access.scope_owners(kind)
    if owners is not None:
        conditions.append(f"owner_id = ANY({sql.add(sorted(owners), 'uuid[]')})")
    if after is not None:
        conditions.append(f"({at}, '{kind.name}', id) < ({after})")
    return (
        f"(SELECT '{kind.name}' AS type, id, {at} AS at, jsonb_build_object({data}) AS data "
        f"FROM {LISTS[kind.name].table} WHERE {' AND '.join(conditions)} "
        f"ORDER BY {at} DESC, id DESC LIMIT {limit})"
    )


async def timeline(
    tenant: TenantContext, access: Access, kind: ObjectType, record_id: int, cursor: str | None, limit: int
) -> TimelinePage:
    after_value = _cursor(cursor)
    sql = _Sql()
    async with tenant_transaction(tenant) as transaction:
        await records.scoped_row(access, kind, record_id)  # 404 unless the caller may see the record
        record_type, linked_id = sql.add(kind.name, "text"), sql.add(record_id, "bigint")
        after = None
        if after_value is not None:
            after = ", ".join(
                (sql.add(after_value[0], "timestamptz"), sql.add(after_value[1], "text"),
                 sql.add(after_value[2], "bigint"))
            )  # fmt: skip
        linked = [f"record_type = {record_type}", f"record_id = {linked_id}"]
        parts = [
            _part(access, ACTIVITY, sql, linked, "created_at", after, limit + 1),
            _part(access, NOTE, sql, linked, "created_at", after, limit + 1),
        ]
        if kind.name in _DEAL_LINK:
            parts.append(
                _part(
                    access,
                    DEAL,
                    sql,
                    [f"{_DEAL_LINK[kind.name]} = {linked_id}"],
                    "created_at",
                    after,
                    limit + 1,
                )
            )
        actions = sql.add([f"{kind.name}.{verb}" for verb in _CHANGE_ACTIONS], "text[]")
        change_after = f" AND (occurred_at, 'change', id) < ({after})" if after else ""
        parts.append(
            "(SELECT 'change' AS type, id, occurred_at AS at, "
            "jsonb_build_object('action', action, 'actor', actor, 'changes', changes) AS data "
            f"FROM audit_events WHERE object_type = {record_type} AND object_id = {linked_id}::text "
            f"AND action = ANY({actions}){change_after} ORDER BY occurred_at DESC, id DESC LIMIT {limit + 1})"
        )
        query = (
            " UNION ALL ".join(part for part in parts if part)
            + f" ORDER BY at DESC, type DESC, id DESC LIMIT {limit + 1}"
        )
        rows = await transaction.connection.fetch(query, *sql.args)
    hidden = kind.columns_of(access.hidden(kind.name))
    items = []
    for row in rows[:limit]:
        data = json.loads(row["data"])
        if row["type"] == "change":
            data["changes"] = {name: pair for name, pair in data["changes"].items() if name not in hidden}
        items.append({"type": row["type"], "id": row["id"], "at": row["at"], "data": data})
    next_cursor = _encode(items[-1]) if len(rows) > limit and items else None
    return TimelinePage(items, next_cursor)
