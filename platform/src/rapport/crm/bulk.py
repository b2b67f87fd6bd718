"""Bulk actions on up to 1,000 records of one type: assign, update a field, delete, restore, tag, untag.

Each action is one set-based statement over the records of ``ids`` inside the caller's row scope (the
others are skipped and counted), then one audit statement and one outbox statement for all the records
that changed, in the same transaction. Fields a bulk update may set are listed per type with their check.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.objects import ACTIVITY, COMPANY, CONTACT, DEAL, LEAD, LISTS
from rapport.events.outbox import NewEvent, emit_many
from rapport.identity import audit
from rapport.identity.access import Access, PermissionDenied
from rapport.identity.audit import Actor
from rapport.kernel.db import transaction_connection
from rapport.kernel.errors import FieldError, ValidationFailed
from rapport.kernel.objects import ObjectType

__all__ = ["ACTIONS", "BULK_FIELDS", "MAX_BULK", "run_bulk"]

MAX_BULK = 1_000
ACTIONS = ("assign", "update", "delete", "restore", "tag", "untag")
MAX_TAGS = 20


def _text(limit: int) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise ValueError(f"text of at most {limit} characters, or null")
        return value.strip() if isinstance(value, str) else None

    return check


def _choice(*allowed: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise ValueError(f"one of: {', '.join(allowed)}")
        return value

    return check


def _date(value: Any) -> Any:
    return None if value is None else dt.date.fromisoformat(str(value))


def _percent(value: Any) -> Any:
    if not isinstance(value, int) or not 0 <= value <= 100:
        raise ValueError("a whole number from 0 to 100")
    return value


def _boolean(value: Any) -> Any:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


BULK_FIELDS: dict[str, dict[str, Callable[[Any], Any]]] = {
    COMPANY.name: {"industry": _text(100)},
    CONTACT.name: {"title": _text(150)},
    DEAL.name: {"expected_close": _date, "probability": _percent},
    LEAD.name: {"status": _choice("new", "contacted", "qualified", "unqualified"), "source": _text(50)},
    ACTIVITY.name: {"done": _boolean},
}


def _in_scope(access: Access, kind: ObjectType, args: list[Any]) -> str:
    owners = access.scope_owners(kind)
    if owners is None:
        return ""
    args.append(sorted(owners))
    return f" AND owner_id = ANY(${len(args)}::uuid[])"


async def _set_column(
    access: Access, actor: Actor, kind: ObjectType, ids: list[int], column: str, value: Any, *, verb: str,
    live: bool = True,
) -> int:  # fmt: skip
    """``column = value`` on the records of ``ids`` in scope; audit and events for those that changed."""
    table = LISTS[kind.name].table
    args: list[Any] = [ids, value]
    deleted = "deleted_at IS NULL" if live else "deleted_at IS NOT NULL"
    extra = (
        ", done_at = CASE WHEN $2 THEN now() ELSE NULL END" if kind is ACTIVITY and column == "done" else ""
    )
    rows = await transaction_connection().fetch(
        f"WITH target AS (SELECT id, {column} AS before FROM {table} "
        f"WHERE id = ANY($1::bigint[]) AND {deleted}"
        f"{_in_scope(access, kind, args)} FOR UPDATE) "
        f"UPDATE {table} t SET {column} = $2, updated_at = now(){extra} FROM target "
        f"WHERE t.id = target.id AND target.before IS DISTINCT FROM $2 RETURNING t.id, target.before",
        *args,
    )  # table and column names come from the object types and BULK_FIELDS, never from the request
    entries = [(row["id"], {column: (row["before"], value)}) for row in rows]
    await audit.record_many(actor, f"{kind.name}.{verb}", kind.name, entries)
    await emit_many([
        NewEvent(f"{kind.name}.{verb}", kind.name, record_id,
                 {name: list(pair) for name, pair in changes.items()}, actor.user_id, actor.label)
        for record_id, changes in entries
    ])  # fmt: skip
    return len(rows)


async def _tags(
    access: Access, actor: Actor, kind: ObjectType, ids: list[int], names: list[str], add: bool
) -> int:
    cleaned = sorted({name.strip() for name in names if name.strip()})
    if not cleaned or len(cleaned) > MAX_TAGS or any(len(name) > 50 for name in cleaned):
        raise ValidationFailed(
            "The tags are not valid.",
            errors=[FieldError("tags", f"1 to {MAX_TAGS} names of up to 50 characters")],
        )
    connection = transaction_connection()
    args: list[Any] = [ids]
    scope = _in_scope(access, kind, args)
    table = LISTS[kind.name].table
    in_scope = [
        row["id"]
        for row in await connection.fetch(
            f"SELECT id FROM {table} WHERE id = ANY($1::bigint[]) AND deleted_at IS NULL{scope}", *args
        )
    ]
    if add:
        await connection.execute(
            "INSERT INTO tags (name, color, created_at) "
            "SELECT name, '#868e96', now() FROM unnest($1::text[]) name "
            "ON CONFLICT (lower(name)) DO NOTHING",
            cleaned,
        )
        rows = await connection.fetch(
            "INSERT INTO taggings (tag, record_type, record_id, created_at) "
            "SELECT t.id, $1, r, now() FROM unnest($2::bigint[]) r CROSS JOIN tags t "
            "WHERE lower(t.name) = ANY(SELECT lower(n) FROM unnest($3::text[]) n) "
            "ON CONFLICT (record_type, record_id, tag) DO NOTHING RETURNING record_id",
            kind.name, in_scope, cleaned,
        )  # fmt: skip
    else:
        rows = await connection.fetch(
            "DELETE FROM taggings tg USING tags t WHERE tg.tag = t.id AND tg.record_type = $1 "
            "AND tg.record_id = ANY($2::bigint[]) "
            "AND lower(t.name) = ANY(SELECT lower(n) FROM unnest($3::text[]) n) "
            "RETURNING tg.record_id",
            kind.name, in_scope, cleaned,
        )  # fmt: skip
    changed = sorted({row["record_id"] for row in rows})
    change = {"tags": (None, cleaned) if add else (cleaned, None)}
    await audit.record_many(
        actor, f"{kind.name}.updated", kind.name, [(record_id, change) for record_id in changed]
    )
    await emit_many([
        NewEvent(f"{kind.name}.updated", kind.name, record_id, {"tags": list(change["tags"])}, actor.user_id,
                 actor.label)
        for record_id in changed
    ])  # fmt: skip
    return len(changed)


async def run_bulk(
    tenant: TenantContext, access: Access, actor: Actor, kind: ObjectType, ids: list[int], action: str,
    payload: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    """Do ``action`` on ``ids``; how many records were changed."""
    unique = sorted(set(ids))
    if not 1 <= len(unique) <= MAX_BULK:
        raise ValidationFailed("Too many or no records.", errors=[FieldError("ids", f"1 to {MAX_BULK} ids")])
    if action not in ACTIONS:
        raise ValidationFailed(
            "Unknown action.", errors=[FieldError("action", f"one of: {', '.join(ACTIONS)}")]
        )
    access.require(kind, "delete" if action in ("delete", "restore") else "update")
    async with tenant_transaction(tenant):
        if action == "assign":
            owner = payload.get("owner_id")
            try:
                owner_id = uuid.UUID(str(owner))
            except ValueError:
                raise ValidationFailed(
                    "No owner.", errors=[FieldError("owner_id", "a member's user id")]
                ) from None
            access.check_fields(kind, [kind.owner_field], writing=True)
            if not access.may_own(kind, owner_id):
                raise PermissionDenied(
                    f"The role {access.role.name} may not give records outside its row scope."
                )
            is_member = await transaction_connection().fetchval(
                "SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1 AND active)", owner_id
            )
            if not is_member:
                raise ValidationFailed(
                    "No such member.", errors=[FieldError("owner_id", "not an active member")]
                )
            changed = await _set_column(
                access, actor, kind, unique, kind.owner_field, owner_id, verb="updated"
            )
        elif action == "update":
            field, checks = payload.get("field"), BULK_FIELDS.get(kind.name, {})
            if field not in checks:
                raise ValidationFailed(
                    "This field cannot be changed in bulk.",
                    errors=[FieldError("field", f"one of: {', '.join(checks) or 'none for this type'}")],
                )
            access.check_fields(kind, [field], writing=True)
            try:
                value = checks[field](payload.get("value"))
            except (ValueError, TypeError) as exc:
                raise ValidationFailed(
                    "The value is not valid.", errors=[FieldError("value", str(exc))]
                ) from None
            changed = await _set_column(access, actor, kind, unique, field, value, verb="updated")
        elif action in ("delete", "restore"):
            stamp = dt.datetime.now(dt.UTC) if action == "delete" else None
            changed = await _set_column(
                access, actor, kind, unique, "deleted_at", stamp, verb=f"{action}d", live=action == "delete"
            )
        else:
            changed = await _tags(
                access, actor, kind, unique, list(payload.get("tags") or []), action == "tag"
            )
    return {"action": action, "requested": len(unique), "changed": changed}
