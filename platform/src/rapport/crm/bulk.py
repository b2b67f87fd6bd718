"""Bulk actions on records of one type: assign, update a field, delete, restore, tag, untag.

The records are chosen by up to 1,000 ``ids``, or as every record matching a list's filter and search
(``matching``: the list endpoint's syntax and checks), at most 100,000. Each action is one set-based
statement over the chosen records inside the caller's row scope (the others are skipped), then one audit
statement and one outbox statement for all the records that changed, in the same transaction. Fields a
bulk update may set are listed per type with their check.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.custom_fields import extend_spec, mentions_custom
from rapport.crm.listing import _Sql, record_conditions
from rapport.crm.objects import ACTIVITY, COMPANY, CONTACT, DEAL, LEAD, LINKABLE, LISTS, ListSpec
from rapport.events.outbox import NewEvent, emit_many
from rapport.identity import audit
from rapport.identity.access import Access, PermissionDenied
from rapport.identity.audit import Actor
from rapport.kernel.db import transaction_connection
from rapport.kernel.errors import FieldError, ValidationFailed
from rapport.kernel.objects import ObjectType

__all__ = ["ACTIONS", "BULK_FIELDS", "MAX_BULK", "MAX_MATCHING", "Matching", "run_bulk"]

MAX_BULK = 1_000
MAX_MATCHING = 100_000
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


@dataclass(frozen=True, slots=True)
class Matching:
    """Every record a list request with this filter and search returns (all its pages), not a page of ids."""

    filter: Mapping[str, Any] = field(default_factory=dict)
    q: str | None = None
    deleted_at: dt.datetime | None = None
    """For ``restore``: only the records deleted at this moment (a bulk delete answers it, for its undo)."""


@dataclass(frozen=True, slots=True)
class _Target:
    """The chosen records as a condition on the type's table, with its parameters."""

    table: str
    condition: str
    args: tuple[Any, ...]

    def sql(self) -> _Sql:
        """Parameters for one statement: the condition's, then those the statement adds."""
        sql = _Sql()
        sql.args = list(self.args)
        return sql


def _selection(ids: list[int] | None, matching: Matching | None, action: str) -> list[int] | None:
    """The unique ids, or None for ``matching``; exactly one of the two."""
    if ids is not None and matching is not None:
        raise ValidationFailed(
            "Choose records by ids or by matching, not both.",
            errors=[FieldError("matching", "leave it out when ids are given")],
        )
    if matching is not None:
        if matching.deleted_at is not None and action != "restore":
            raise ValidationFailed(
                "Only a restore takes a deletion time.",
                errors=[FieldError("matching.deleted_at", "only with the restore action")],
            )
        return None
    unique = sorted(set(ids or []))
    if not 1 <= len(unique) <= MAX_BULK:
        raise ValidationFailed(
            "Too many or no records.", errors=[FieldError("ids", f"1 to {MAX_BULK} ids, or matching")]
        )
    return unique


def _target(
    spec: ListSpec, access: Access, ids: list[int] | None, matching: Matching | None, *, live: bool
) -> _Target:
    """The records of ``ids`` or ``matching``, live (or deleted), inside the caller's row scope.

    ``matching`` is checked like the list request (fields, operators, values, hidden fields); its errors
    name ``matching.filter…``.
    """
    sql = _Sql()
    chosen = matching or Matching()
    path = "matching.filter"
    conditions = record_conditions(spec, access, sql, chosen.filter, chosen.q, path=path, live=live)
    if ids is not None:
        conditions.append(f"id = ANY({sql.add(ids)}::bigint[])")
    elif chosen.deleted_at is not None:
        conditions.append(f"deleted_at = {sql.add(chosen.deleted_at)}")
    return _Target(spec.table, " AND ".join(conditions), tuple(sql.args))


async def _count_matching(target: _Target) -> int:
    """How many records ``matching`` chose (counted up to one past the limit); refused past the limit."""
    found: int = await transaction_connection().fetchval(
        f"SELECT count(*) FROM (SELECT 1 FROM {target.table} WHERE {target.condition} "
        f"LIMIT {MAX_MATCHING + 1}) chosen",
        *target.args,
    )  # the table and condition come from the list spec; values are parameters
    if found > MAX_MATCHING:
        raise ValidationFailed(
            f"More than {MAX_MATCHING:,} records match; nothing was changed.",
            errors=[FieldError("matching", f"at most {MAX_MATCHING:,} records; narrow the filter")],
        )
    return found


async def _set_column(
    actor: Actor, kind: ObjectType, target: _Target, column: str, value: Any, *, verb: str
) -> int:
    """``column = value`` on the target's records; audit and events for those that changed."""
    sql = target.sql()
    new = sql.add(value)
    extra = (
        f", done_at = CASE WHEN {new}::boolean THEN now() ELSE NULL END"
        if kind is ACTIVITY and column == "done"
        else ""
    )
    rows = await transaction_connection().fetch(
        f"WITH target AS (SELECT id, {column} AS before FROM {target.table} "
        f"WHERE {target.condition} FOR UPDATE) "
        f"UPDATE {target.table} t SET {column} = {new}, updated_at = now(){extra} FROM target "
        f"WHERE t.id = target.id AND target.before IS DISTINCT FROM {new} RETURNING t.id, target.before",
        *sql.args,
    )  # table and column names come from the object types and BULK_FIELDS, never from the request
    entries = [(row["id"], {column: (row["before"], value)}) for row in rows]
    await audit.record_many(actor, f"{kind.name}.{verb}", kind.name, entries)
    await emit_many([
        NewEvent(f"{kind.name}.{verb}", kind.name, record_id,
                 {name: list(pair) for name, pair in changes.items()}, actor.user_id, actor.label)
        for record_id, changes in entries
    ])  # fmt: skip
    return len(rows)


def _tag_names(names: list[str]) -> list[str]:
    cleaned = sorted({name.strip() for name in names if name.strip()})
    if not cleaned or len(cleaned) > MAX_TAGS or any(len(name) > 50 for name in cleaned):
        raise ValidationFailed(
            "The tags are not valid.",
            errors=[FieldError("tags", f"1 to {MAX_TAGS} names of up to 50 characters")],
        )
    return cleaned


async def _tags(actor: Actor, kind: ObjectType, target: _Target, names: list[str], add: bool) -> int:
    cleaned = _tag_names(names)
    connection = transaction_connection()
    sql = target.sql()
    # A subquery: the filter names the table's own columns (``name``), which ``tags`` has too.
    chosen = f"SELECT id FROM {target.table} WHERE {target.condition}"
    record_type, wanted = sql.add(kind.name), sql.add(cleaned)
    same_name = f"lower(t.name) = ANY(SELECT lower(n) FROM unnest({wanted}::text[]) n)"
    if add:
        await connection.execute(
            "INSERT INTO tags (name, color, created_at) "
            "SELECT name, '#868e96', now() FROM unnest($1::text[]) name "
            "ON CONFLICT (lower(name)) DO NOTHING",
            cleaned,
        )
        rows = await connection.fetch(
            f"INSERT INTO taggings (tag, record_type, record_id, created_at) "
            f"SELECT t.id, {record_type}, r.id, now() FROM ({chosen}) r CROSS JOIN tags t WHERE {same_name} "
            "ON CONFLICT (record_type, record_id, tag) DO NOTHING RETURNING record_id",
            *sql.args,
        )
    else:
        rows = await connection.fetch(
            f"DELETE FROM taggings tg USING tags t WHERE tg.tag = t.id AND tg.record_type = {record_type} "
            f"AND tg.record_id IN ({chosen}) AND {same_name} RETURNING tg.record_id",
            *sql.args,
        )
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


async def _assign(access: Access, actor: Actor, kind: ObjectType, target: _Target, owner: Any) -> int:
    try:
        owner_id = uuid.UUID(str(owner))
    except ValueError:
        raise ValidationFailed("No owner.", errors=[FieldError("owner_id", "a member's user id")]) from None
    access.check_fields(kind, [kind.owner_field], writing=True)
    if not access.may_own(kind, owner_id):
        raise PermissionDenied(f"The role {access.role.name} may not give records outside its row scope.")
    is_member = await transaction_connection().fetchval(
        "SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1 AND active)", owner_id
    )
    if not is_member:
        raise ValidationFailed("No such member.", errors=[FieldError("owner_id", "not an active member")])
    return await _set_column(actor, kind, target, kind.owner_field, owner_id, verb="updated")


async def _update(
    access: Access, actor: Actor, kind: ObjectType, target: _Target, payload: dict[str, Any]
) -> int:
    field_name, checks = payload.get("field"), BULK_FIELDS.get(kind.name, {})
    if field_name not in checks:
        raise ValidationFailed(
            "This field cannot be changed in bulk.",
            errors=[FieldError("field", f"one of: {', '.join(checks) or 'none for this type'}")],
        )
    access.check_fields(kind, [field_name], writing=True)
    try:
        value = checks[field_name](payload.get("value"))
    except (ValueError, TypeError) as exc:
        raise ValidationFailed("The value is not valid.", errors=[FieldError("value", str(exc))]) from None
    return await _set_column(actor, kind, target, field_name, value, verb="updated")


async def run_bulk(
    tenant: TenantContext, access: Access, actor: Actor, kind: ObjectType, ids: list[int] | None, action: str,
    payload: dict[str, Any], matching: Matching | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Do ``action`` on the records of ``ids`` or on every record ``matching`` chooses, in one transaction.

    Answers how many records were chosen (``requested``: the ids given, or those matching in scope) and
    changed; a delete also answers its ``deleted_at``, which a restore's ``matching`` takes to undo it.
    """
    unique = _selection(ids, matching, action)
    if action not in ACTIONS:
        raise ValidationFailed(
            "Unknown action.", errors=[FieldError("action", f"one of: {', '.join(ACTIONS)}")]
        )
    access.require(kind, "delete" if action in ("delete", "restore") else "update")
    spec = LISTS[kind.name]
    if matching is not None and kind.name in LINKABLE and mentions_custom(matching.filter, ""):
        spec = await extend_spec(tenant, spec)
    target = _target(spec, access, unique, matching, live=action != "restore")
    stamp = dt.datetime.now(dt.UTC) if action == "delete" else None
    async with tenant_transaction(tenant):
        requested = len(unique) if unique is not None else await _count_matching(target)
        if action == "assign":
            changed = await _assign(access, actor, kind, target, payload.get("owner_id"))
        elif action == "update":
            changed = await _update(access, actor, kind, target, payload)
        elif action in ("delete", "restore"):
            changed = await _set_column(actor, kind, target, "deleted_at", stamp, verb=f"{action}d")
        else:
            changed = await _tags(actor, kind, target, list(payload.get("tags") or []), action == "tag")
    answer: dict[str, Any] = {"action": action, "requested": requested, "changed": changed}
    if stamp is not None:
        answer["deleted_at"] = stamp
    return answer
