"""Contact roles: the people on a deal (decision maker, champion…) and the companies a contact is related to
beside their primary one (with a free-text role such as "board member").

Setting or removing one changes the deal (or the contact): it needs the update permission on it and read
access to the other record, and it is audited and announced as a change of ``contact_roles`` (or
``companies``) on that record. Lists show only the related records the caller may see.
"""

from __future__ import annotations

from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.objects import COMPANY, CONTACT, DEAL
from rapport.events.outbox import NewEvent, emit
from rapport.identity import audit, records
from rapport.identity.access import Access, PermissionDenied
from rapport.identity.audit import Actor
from rapport.kernel.db import transaction_connection
from rapport.kernel.errors import FieldError, NotFoundError, ValidationFailed
from rapport.kernel.objects import ObjectType

__all__ = ["DEAL_ROLES", "related", "remove_role", "set_role"]

DEAL_ROLES = (
    "decision_maker",
    "champion",
    "influencer",
    "economic_buyer",
    "technical_buyer",
    "end_user",
    "other",
)

_LINKS: dict[str, tuple[ObjectType, ObjectType, str, str, str, str]] = {
    # owner side, other side, table, owner column, other column, the change's field name
    "deal_contacts": (DEAL, CONTACT, "deal_contacts", "deal", "contact", "contact_roles"),
    "contact_companies": (CONTACT, COMPANY, "contact_companies", "contact", "company", "companies"),
}


def _check_role(link: str, role: Any) -> str:
    if link == "deal_contacts":
        if role not in DEAL_ROLES:
            raise ValidationFailed(
                "Unknown role.", errors=[FieldError("role", f"one of: {', '.join(DEAL_ROLES)}")]
            )
        return str(role)
    if not isinstance(role, str) or len(role.strip()) > 100:
        raise ValidationFailed(
            "The role is not valid.", errors=[FieldError("role", "a text of up to 100 characters")]
        )
    return role.strip()


async def _other(access: Access, kind: ObjectType, other_id: int, field: str) -> None:
    try:
        await records.scoped_row(access, kind, other_id)
    except (NotFoundError, PermissionDenied):
        raise ValidationFailed(
            f"No such {kind.label}.", errors=[FieldError(field, f"no {kind.label} {other_id} you may see")]
        ) from None


async def set_role(
    tenant: TenantContext, access: Access, actor: Actor, link: str, owner_id: int, other_id: int, role: Any
) -> dict[str, Any]:
    """Relate ``other_id`` to ``owner_id`` with ``role`` (or change the role)."""
    owner, other, table, owner_column, other_column, field = _LINKS[link]
    cleaned = _check_role(link, role)
    access.require(owner, "update")
    async with tenant_transaction(tenant):
        await records.scoped_row(access, owner, owner_id)
        await _other(access, other, other_id, other_column)
        before = await transaction_connection().fetchval(
            f"SELECT role FROM {table} WHERE {owner_column} = $1 AND {other_column} = $2", owner_id, other_id
        )
        await transaction_connection().execute(
            f"INSERT INTO {table} ({owner_column}, {other_column}, role, created_at) VALUES ($1, $2, "
            "$3, now()) "
            f"ON CONFLICT ({owner_column}, {other_column}) DO UPDATE SET role = excluded.role",
            owner_id, other_id, cleaned,
        )  # fmt: skip
        if before != cleaned:
            change = {
                field: ({str(other_id): before} if before is not None else None, {str(other_id): cleaned})
            }
            await audit.record(actor, f"{owner.name}.updated", owner.name, owner_id, change)
            await emit(NewEvent(f"{owner.name}.updated", owner.name, owner_id,
                                {field: list(change[field])}, actor.user_id, actor.label))  # fmt: skip
    return {other_column: other_id, "role": cleaned}


async def remove_role(
    tenant: TenantContext, access: Access, actor: Actor, link: str, owner_id: int, other_id: int
) -> None:
    owner, _other_kind, table, owner_column, other_column, field = _LINKS[link]
    access.require(owner, "update")
    async with tenant_transaction(tenant):
        await records.scoped_row(access, owner, owner_id)
        before = await transaction_connection().fetchval(
            f"DELETE FROM {table} WHERE {owner_column} = $1 AND {other_column} = $2 RETURNING role",
            owner_id, other_id,
        )  # fmt: skip
        if before is None:
            raise NotFoundError(f"{_other_kind.label.capitalize()} {other_id} has no role here.")
        change = {field: ({str(other_id): before}, None)}
        await audit.record(actor, f"{owner.name}.updated", owner.name, owner_id, change)
        await emit(NewEvent(f"{owner.name}.updated", owner.name, owner_id, {field: list(change[field])},
                            actor.user_id, actor.label))  # fmt: skip


_TITLES = {
    "contact": ("trim(r.first_name || ' ' || r.last_name)", "r.email", "emails", "contacts"),
    "company": ("r.name", "r.domain", "domain", "companies"),
}


async def related(
    tenant: TenantContext, access: Access, link: str, record_id: int, *, reverse: bool = False
) -> list[dict[str, Any]]:
    """The records related to ``record_id`` by ``link`` with their roles, those the caller may see.

    ``reverse``: from the other side (a company's people, a contact's deals are not offered: deals list
    by ``contact``).
    """
    owner, other, table, owner_column, other_column, _field = _LINKS[link]
    here, there = (other, owner) if reverse else (owner, other)
    mine, theirs = (other_column, owner_column) if reverse else (owner_column, other_column)
    access.require(here, "read")
    if not access.allows(there.name, "read"):
        return []
    title, detail, governed_by, target = _TITLES[there.name]
    if governed_by in access.hidden(there.name):
        detail = "NULL"
    args: list[Any] = [record_id]
    scope = ""
    owners = access.scope_owners(there)
    if owners is not None:
        args.append(sorted(owners))
        scope = f" AND r.owner_id = ANY(${len(args)}::uuid[])"
    async with tenant_transaction(tenant):
        await records.scoped_row(access, here, record_id)
        rows = await transaction_connection().fetch(
            f"SELECT r.id, {title} AS title, {detail} AS detail, l.role FROM {table} l "
            f"JOIN {target} r ON r.id = l.{theirs} AND r.deleted_at IS NULL "
            f"WHERE l.{mine} = $1{scope} ORDER BY l.id LIMIT 500",
            *args,
        )
    return [dict(row) for row in rows]
