"""Duplicates of a contact or company, and merging two of them with survivorship and undo.

- **Likely duplicates** of a record: the same email (contacts) or domain (companies) scores 1; otherwise
  the trigram similarity of the names (GIN-indexed ``%``), plus 0.2 for the same company, at least 0.5.
- **Merge**: the survivor keeps its values except the fields the caller takes from the merged record;
  every related row moves to the survivor in one statement per relation (deals, activities, notes,
  tags, converted leads, child companies and contacts, custom relation fields); the merged record is
  soft-deleted. A ``merges`` row remembers both records and the moved row ids.
- **Undo** within ``UNDO_HOURS``: the survivor's fields come back, the moved rows go back, the merged
  record is restored. Everything is audited (``<type>.merged``, ``<type>.merge_undone``) and announced.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.objects import COMPANY, CONTACT, LISTS
from rapport.events.outbox import NewEvent, emit
from rapport.identity import audit, records
from rapport.identity.access import Access
from rapport.identity.audit import Actor
from rapport.kernel.db import transaction_connection
from rapport.kernel.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from rapport.kernel.objects import ObjectType

__all__ = ["MERGEABLE", "UNDO_HOURS", "duplicates_of", "merge", "undo_merge"]

UNDO_HOURS = 24
MIN_SCORE = 0.5
MERGEABLE: dict[str, ObjectType] = {"contact": CONTACT, "company": COMPANY}
_FIELDS = {
    "contact": ("first_name", "last_name", "emails", "phones", "title", "company", "owner_id", "custom"),
    "company": ("name", "domain", "industry", "parent", "owner_id", "custom"),
}
_RELATIONS = {
    # table, column (the merged record's id moves to the survivor's), extra condition
    "contact": [("deals", "contact", ""), ("leads", "converted_contact", ""),
                # roles the survivor has already stay with the merged record (undo brings them back)
                ("deal_contacts", "contact",
                 " AND deal NOT IN (SELECT deal FROM deal_contacts WHERE contact = $2)"),
                ("contact_companies", "contact",
                 " AND company NOT IN (SELECT company FROM contact_companies WHERE contact = $2)")],
    "company": [("deals", "company", ""), ("contacts", "company", ""),
                ("companies", "parent", " AND id <> $2"),  # the survivor does not become its own parent
                ("leads", "converted_company", ""),
                ("contact_companies", "company",
                 " AND contact NOT IN (SELECT contact FROM contact_companies WHERE company = $2)")],
}  # fmt: skip
_LINKED = ("activities", "notes")


async def duplicates_of(
    tenant: TenantContext, access: Access, kind: ObjectType, record_id: int, limit: int = 20
) -> list[dict[str, Any]]:
    """Likely duplicates of one record that the caller may see, best first."""
    args: list[Any] = [record_id]
    async with tenant_transaction(tenant) as transaction:
        record = await records.scoped_row(access, kind, record_id)
        scope = ""
        owners = access.scope_owners(kind)
        if owners is not None:
            args.append(sorted(owners))
            scope = f" AND c.owner_id = ANY(${len(args)}::uuid[])"
        await transaction.connection.execute("SET LOCAL pg_trgm.similarity_threshold = 0.5")
        if kind is CONTACT:
            args += [record["email"], f"{record['first_name']} {record['last_name']}", record["company"]]
            n = len(args)
            sql = (
                "SELECT c.id, trim(c.first_name || ' ' || c.last_name) AS title, c.email, "
                f"CASE WHEN c.email = ${n - 2} THEN 1.0 ELSE least(1.0, similarity(c.first_name || ' ' || "
                f"c.last_name, ${n - 1}) + CASE WHEN c.company = ${n} THEN 0.2 ELSE 0 END) END AS score "
                "FROM contacts c WHERE c.deleted_at IS NULL AND c.id <> $1"
                f"{scope} AND (c.email = ${n - 2} OR (c.first_name || ' ' || c.last_name) % ${n - 1})"
            )
        else:
            args += [record["domain"], record["name"]]
            n = len(args)
            sql = (
                "SELECT c.id, c.name AS title, c.domain AS email, "
                f"CASE WHEN c.domain = ${n - 1} THEN 1.0 ELSE similarity(c.name, ${n}) END AS score "
                f"FROM companies c WHERE c.deleted_at IS NULL AND c.id <> $1{scope} "
                f"AND (c.domain = ${n - 1} OR c.name % ${n})"
            )
        rows = await transaction.connection.fetch(
            f"SELECT * FROM ({sql}) found WHERE score >= {MIN_SCORE} ORDER BY score DESC, id LIMIT {limit}",
            *args,
        )
    return [{**dict(row), "score": round(float(row["score"]), 3)} for row in rows]


async def _move(kind: ObjectType, source: int, target: int) -> dict[str, list[int]]:
    """Point every related row of ``source`` at ``target``; the moved ids by table and column."""
    connection = transaction_connection()
    moved: dict[str, list[int]] = {}
    for table, column, extra in _RELATIONS[kind.name]:
        rows = await connection.fetch(
            f"UPDATE {table} SET {column} = $2 WHERE {column} = $1{extra} RETURNING id", source, target
        )
        moved[f"{table}.{column}"] = [row["id"] for row in rows]
    for table in _LINKED:
        rows = await connection.fetch(
            f"UPDATE {table} SET record_id = $2 WHERE record_type = $3 AND record_id = $1 RETURNING id",
            source, target, kind.name,
        )  # fmt: skip
        moved[f"{table}.record_id"] = [row["id"] for row in rows]
    # Tags: the survivor keeps its own; the merged record's others move, duplicates are dropped.
    rows = await connection.fetch(
        "UPDATE taggings SET record_id = $2 WHERE record_type = $3 AND record_id = $1 AND tag NOT IN "
        "(SELECT tag FROM taggings WHERE record_type = $3 AND record_id = $2) RETURNING id",
        source, target, kind.name,
    )  # fmt: skip
    moved["taggings.record_id"] = [row["id"] for row in rows]
    relation_keys = [
        row["key"]
        for row in await connection.fetch(
            "SELECT key FROM custom_fields WHERE type = 'relation' AND options = $1::jsonb",
            json.dumps([kind.name]),
        )
    ]
    for key in relation_keys:
        for linkable in ("company", "contact", "deal", "lead"):
            table = LISTS[linkable].table
            rows = await connection.fetch(
                f"UPDATE {table} SET custom = jsonb_set(custom, ARRAY[$3], to_jsonb($2::bigint)) "
                "WHERE custom @> jsonb_build_object($3::text, $1::bigint) RETURNING id",
                source, target, key,
            )  # fmt: skip
            moved[f"{table}.custom.{key}"] = [row["id"] for row in rows]
    return {name: ids for name, ids in moved.items() if ids}


async def merge(
    tenant: TenantContext, access: Access, actor: Actor, kind: ObjectType, survivor_id: int, merged_id: int,
    take: list[str],
) -> dict[str, Any]:  # fmt: skip
    """Merge ``merged_id`` into ``survivor_id``, taking the fields in ``take`` from the merged record."""
    if survivor_id == merged_id:
        raise ValidationFailed(
            "Merge two different records.", errors=[FieldError("merged_id", "is the survivor")]
        )
    unknown = [name for name in take if name not in _FIELDS[kind.name]]
    if unknown:
        raise ValidationFailed(
            "Unknown fields.", errors=[FieldError("take", f"choose from: {', '.join(_FIELDS[kind.name])}")]
        )
    access.require(kind, "update")
    access.require(kind, "delete")
    async with tenant_transaction(tenant):
        survivor = await records.scoped_row(access, kind, survivor_id)
        merged = await records.scoped_row(access, kind, merged_id)
        values = {name: merged[name] for name in take}
        if values:
            await records.apply_update(access, actor, kind, survivor_id, values)
        moved = await _move(kind, merged_id, survivor_id)
        await records.delete_record_in(access, actor, kind, merged_id)
        before = json.dumps({"survivor": survivor, "merged": merged}, default=str)
        merge_id = await transaction_connection().fetchval(
            "INSERT INTO merges (object_type, survivor, merged, before, moved, actor, created_at) "
            "VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, now()) RETURNING id",
            kind.name, survivor_id, merged_id, before, json.dumps(moved), actor.label[:320],
        )  # fmt: skip
        changes = {"merged": (None, merged_id), "taken": (None, take), "moved": (None, moved)}
        await audit.record(actor, f"{kind.name}.merged", kind.name, survivor_id, changes)
        await emit(NewEvent(f"{kind.name}.merged", kind.name, survivor_id, {"merged": [None, merged_id]},
                            actor.user_id, actor.label))  # fmt: skip
        result = await records.scoped_row(access, kind, survivor_id)
    return {"merge_id": merge_id, "record": access.redact(kind, result), "moved": moved}


async def undo_merge(tenant: TenantContext, access: Access, actor: Actor, merge_id: int) -> dict[str, Any]:
    """Put both records and the moved rows back, within ``UNDO_HOURS`` of the merge."""
    async with tenant_transaction(tenant):
        connection = transaction_connection()
        row = await connection.fetchrow("SELECT * FROM merges WHERE id = $1 FOR UPDATE", merge_id)
        if row is None or row["object_type"] not in MERGEABLE:
            raise NotFoundError(f"No merge {merge_id}.")
        kind = MERGEABLE[row["object_type"]]
        access.require(kind, "update")
        access.require(kind, "delete")
        if row["undone_at"] is not None:
            raise ConflictError(f"Merge {merge_id} was undone already.")
        if dt.datetime.now(dt.UTC) - row["created_at"] > dt.timedelta(hours=UNDO_HOURS):
            raise ConflictError(f"A merge can be undone for {UNDO_HOURS} hours; this one is older.")
        before = json.loads(row["before"])
        await records.scoped_row(access, kind, row["survivor"])  # the survivor is still in the caller's scope
        await records.restore_record_in(access, actor, kind, row["merged"])
        moved = json.loads(row["moved"])
        for place, ids in moved.items():
            table, column, *key = place.split(".")
            if column == "custom":
                await connection.execute(
                    f"UPDATE {table} SET custom = jsonb_set(custom, ARRAY[$3], to_jsonb($2::bigint)) "
                    "WHERE id = ANY($1::bigint[])",
                    ids, row["merged"], key[0],
                )  # fmt: skip
            else:
                await connection.execute(
                    f"UPDATE {table} SET {column} = $2 WHERE id = ANY($1::bigint[])", ids, row["merged"]
                )  # table and column names come from the merge's own record of what it moved
        fields = _FIELDS[kind.name]
        restored = {name: before["survivor"][name] for name in fields if name in before["survivor"]}
        await records.apply_update(access, actor, kind, row["survivor"], _typed(kind, restored))
        await connection.execute("UPDATE merges SET undone_at = now() WHERE id = $1", merge_id)
        await audit.record(
            actor, f"{kind.name}.merge_undone", kind.name, row["survivor"], {"merged": (row["merged"], None)}
        )
        event = NewEvent(
            f"{kind.name}.merge_undone", kind.name, row["survivor"], {"merged": [row["merged"], None]},
            actor.user_id, actor.label,
        )  # fmt: skip
        await emit(event)
    return {"merge_id": merge_id, "survivor": row["survivor"], "restored": row["merged"]}


def _typed(kind: ObjectType, values: dict[str, Any]) -> dict[str, Any]:
    """Values read back from the merge's JSON snapshot, in the columns' Python types."""
    typed = dict(values)
    if "owner_id" in typed and typed["owner_id"] is not None:
        import uuid

        typed["owner_id"] = uuid.UUID(str(typed["owner_id"]))
    return typed
