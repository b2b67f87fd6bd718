"""The workspace's queue of likely duplicate pairs (contacts, companies), found by a scan, best first.

A scan (``crm.scan_duplicates``, on request and daily per workspace) finds pairs set-based, never record by
record:

- contacts: the same email (score 1); similar names (trigram similarity ≥ 0.6) at the same company
  (score: similarity + 0.2, at most 1), a self-join blocked on the company;
- companies: the same domain (score 1); the same name once lower-cased and stripped of punctuation and
  legal suffixes (0.9); similar names (≥ 0.7) sharing the first four letters of that key.

It replaces the pairs of its type, except those someone dismissed ("not duplicates"), which are kept and
never suggested again. The queue shows only pairs whose two records are live and both visible to the
caller (row scope); merging goes through the merge API, after which the pair leaves the queue.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import structlog
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.objects import COMPANY, CONTACT
from rapport.identity.access import Access
from rapport.identity.principal import Principal
from rapport.kernel.db import transaction_connection
from rapport.kernel.errors import NotFoundError
from rapport.kernel.jobs import send_for_tenant
from rapport.kernel.objects import ObjectType

__all__ = ["QUEUED", "dismiss_pair", "pair_page", "queue_scan", "scan_workspace"]

log = structlog.get_logger(__name__)
QUEUED: dict[str, ObjectType] = {"contact": CONTACT, "company": COMPANY}

_KEY = (
    "regexp_replace(regexp_replace(lower({t}.name), '\\m(inc|ltd|llc|gmbh|corp|co|sa|ag|bv|plc)\\M', "
    "'', 'g'), "
    "'[^a-z0-9]', '', 'g')"
)
_FOUND = {
    "contact": [
        "SELECT a.id AS low, b.id AS high, 1.0::real AS score, 'email' AS reason FROM contacts a "
        "JOIN contacts b ON b.email = a.email AND b.id > a.id AND b.deleted_at IS NULL "
        "WHERE a.deleted_at IS NULL AND a.email IS NOT NULL",
        "SELECT a.id, b.id, least(1.0, similarity(a.first_name || ' ' || a.last_name, "
        "b.first_name || ' ' || b.last_name) + 0.2)::real, 'name' FROM contacts a "
        "JOIN contacts b ON b.company = a.company AND b.id > a.id AND b.deleted_at IS NULL "
        "WHERE a.deleted_at IS NULL AND a.company IS NOT NULL AND similarity(a.first_name || ' ' || "
        "a.last_name, b.first_name || ' ' || b.last_name) >= 0.6",
    ],
    "company": [
        "SELECT a.id AS low, b.id AS high, 1.0::real AS score, 'domain' AS reason FROM companies a JOIN "
        "companies b ON b.domain = a.domain "
        "AND b.id > a.id AND b.deleted_at IS NULL WHERE a.deleted_at IS NULL AND a.domain IS NOT NULL",
        f"SELECT a.id, b.id, CASE WHEN {_KEY.format(t='a')} = {_KEY.format(t='b')} THEN 0.9 "
        "ELSE similarity(a.name, b.name) END::real, 'name' FROM companies a "
        f"JOIN companies b ON left({_KEY.format(t='b')}, 4) = left({_KEY.format(t='a')}, 4) AND b.id > a.id "
        f"AND b.deleted_at IS NULL WHERE a.deleted_at IS NULL AND length({_KEY.format(t='a')}) >= 2 "
        f"AND ({_KEY.format(t='a')} = {_KEY.format(t='b')} OR similarity(a.name, b.name) >= 0.7)",
    ],
}
"""Per type: queries giving ``(low, high, score, reason)`` for the pairs they find."""

_TITLE = {
    "contact": ("trim({t}.first_name || ' ' || {t}.last_name)", "{t}.email", "emails"),
    "company": ("{t}.name", "{t}.domain", "domain"),
}
"""Per type: a record's title, a second line, and the field whose rule hides the second line."""


async def scan_workspace(tenant: TenantContext, object_type: str) -> int:
    """Find the pairs of one type now; how many are in the queue afterwards."""
    started = dt.datetime.now(dt.UTC)
    union = " UNION ALL ".join(f"({query})" for query in _FOUND[object_type])
    async with tenant_transaction(tenant) as transaction:
        connection = transaction.connection
        await connection.execute("SET LOCAL work_mem = '64MB'")
        await connection.execute(
            "INSERT INTO duplicate_pairs (object_type, low, high, score, reason, found_at) "
            f"SELECT DISTINCT ON (low, high) $1, low, high, score, reason, $2 FROM ({union}) found "
            "ORDER BY low, high, score DESC "
            "ON CONFLICT (object_type, low, high) DO UPDATE SET score = excluded.score, "
            "reason = excluded.reason, found_at = excluded.found_at WHERE duplicate_pairs.dismissed_at "
            "IS NULL",
            object_type,
            started,
        )
        await connection.execute(
            "DELETE FROM duplicate_pairs WHERE object_type = $1 AND dismissed_at IS NULL AND found_at < $2",
            object_type,
            started,
        )
        count: int = await connection.fetchval(
            "SELECT count(*) FROM duplicate_pairs WHERE object_type = $1 AND dismissed_at IS NULL",
            object_type,
        )
    log.info("duplicates_scanned", tenant=tenant.slug, object_type=object_type, pairs=count)
    return count


def queue_scan(tenant: TenantContext, access: Access, object_type: str) -> None:
    """Ask for a scan now (needs the update permission on the type)."""
    access.require(_kind(object_type), "update")
    from rapport.crm.duplicate_jobs import scan_duplicates

    send_for_tenant(tenant, scan_duplicates, object_type)


def _kind(object_type: str) -> ObjectType:
    kind = QUEUED.get(object_type)
    if kind is None:
        raise NotFoundError("The duplicate queue covers contacts and companies.")
    return kind


def _visible(access: Access, kind: ObjectType, args: list[Any]) -> str:
    owners = access.scope_owners(kind)
    if owners is None:
        return ""
    args.append(sorted(owners))
    return f" AND a.owner_id = ANY(${len(args)}::uuid[]) AND b.owner_id = ANY(${len(args)}::uuid[])"


async def pair_page(
    tenant: TenantContext, access: Access, object_type: str, cursor: tuple[float, int] | None, limit: int
) -> dict[str, Any]:
    """The queue, best first (keyset on score, id): pairs of live records the caller may both see."""
    kind = _kind(object_type)
    access.require(kind, "read")
    table = "contacts" if kind is CONTACT else "companies"
    title, second, governed_by = _TITLE[object_type]
    hidden = governed_by in access.hidden(kind.name)
    args: list[Any] = [object_type, limit + 1]
    scope = _visible(access, kind, args)
    after = ""
    if cursor is not None:
        args += [cursor[0], cursor[1]]
        after = f" AND (p.score, p.id) < (${len(args) - 1}::real, ${len(args)})"
    detail = "NULL" if hidden else second
    async with tenant_transaction(tenant):
        connection = transaction_connection()
        rows = await connection.fetch(
            f"SELECT p.id, p.score, p.reason, p.found_at, a.id AS a_id, {title.format(t='a')} AS a_title, "
            f"{detail.format(t='a')} AS a_detail, b.id AS b_id, {title.format(t='b')} AS b_title, "
            f"{detail.format(t='b')} AS b_detail FROM duplicate_pairs p "
            f"JOIN {table} a ON a.id = p.low AND a.deleted_at IS NULL "
            f"JOIN {table} b ON b.id = p.high AND b.deleted_at IS NULL "
            f"WHERE p.object_type = $1 AND p.dismissed_at IS NULL{scope}{after} "
            "ORDER BY p.score DESC, p.id DESC LIMIT $2",
            *args,
        )
        scanned = await connection.fetchval(
            "SELECT max(found_at) FROM duplicate_pairs WHERE object_type = $1", object_type
        )
    items = [
        {
            "id": row["id"], "score": round(float(row["score"]), 3), "reason": row["reason"],
            "records": [
                {"id": row[f"{s}_id"], "title": row[f"{s}_title"], "detail": row[f"{s}_detail"]} for s in "ab"
            ],
        }
        for row in rows[:limit]
    ]  # fmt: skip
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = f"{float(last['score'])!r}:{last['id']}" if last is not None else None
    return {"items": items, "next_cursor": next_cursor, "last_scan_at": scanned}


async def dismiss_pair(
    tenant: TenantContext, access: Access, principal: Principal, object_type: str, pair_id: int
) -> None:
    """ "Not duplicates": the pair leaves the queue for good (needs update on both records)."""
    kind = _kind(object_type)
    access.require(kind, "update")
    table = "contacts" if kind is CONTACT else "companies"
    args: list[Any] = [object_type, pair_id, principal.user_id]
    scope = _visible(access, kind, args)
    async with tenant_transaction(tenant):
        done = await transaction_connection().fetchval(
            f"UPDATE duplicate_pairs p SET dismissed_at = now(), dismissed_by = $3 FROM {table} a, {table} b "
            f"WHERE p.object_type = $1 AND p.id = $2 AND p.dismissed_at IS NULL AND a.id = p.low AND "
            "b.id = p.high"
            f"{scope} RETURNING p.id",
            *args,
        )
    if done is None:
        raise NotFoundError(f"No pair {pair_id} in the {object_type} queue.")
