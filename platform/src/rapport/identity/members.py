"""Adding people to a tenant: the user (global, created if new), the membership and its global index."""

from __future__ import annotations

import uuid

import asyncpg
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.identity import audit
from rapport.identity.audit import SYSTEM
from rapport.identity.passwords import hash_password
from rapport.identity.tables import Membership, Role

__all__ = ["ensure_member", "index_membership"]


async def ensure_member(tenant: TenantContext, email: str, password: str, role: Role) -> uuid.UUID:
    """Make ``email`` an active member of ``tenant`` with ``role`` (idempotent); return the user's id.

    An existing user keeps their password. User, membership and index row commit together.
    """
    email = email.strip().lower()
    password_hash = await hash_password(password)
    async with tenant_transaction(tenant) as transaction:
        connection = transaction.connection
        user_id: uuid.UUID = await connection.fetchval(
            "INSERT INTO control.users (id, email, password_hash, email_verified, created_at) "
            "VALUES ($1, $2, $3, false, now()) ON CONFLICT (email) DO UPDATE SET email = excluded.email "
            "RETURNING id",
            uuid.uuid4(),
            email,
            password_hash,
        )
        existing = await Membership.select(Membership.role).where(Membership.user_id == user_id).first()
        if existing is None:
            await Membership.insert(Membership(user_id=user_id, role=role.value, active=True))
            await audit.record(SYSTEM, "membership.created", "user", user_id, {"role": (None, role.value)})
        elif existing["role"] != role.value:
            await Membership.update({Membership.role: role.value, Membership.active: True}).where(
                Membership.user_id == user_id
            )
            await audit.record(
                SYSTEM, "membership.updated", "user", user_id, {"role": (existing["role"], role.value)}
            )
        await index_membership(connection, user_id, tenant.id)
    return user_id


async def index_membership(connection: asyncpg.Connection, user_id: uuid.UUID, tenant_id: uuid.UUID) -> None:
    """Record in ``control.user_tenants`` that the user belongs to the tenant, in the caller's transaction."""
    await connection.execute(
        "INSERT INTO control.user_tenants (id, user_id, tenant_id, created_at) VALUES ($1, $2, $3, now()) "
        "ON CONFLICT (user_id, tenant_id) DO NOTHING",
        uuid.uuid4(),
        user_id,
        tenant_id,
    )
