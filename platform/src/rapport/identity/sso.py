"""What OIDC and SAML sign-in share: the failure, the allowed-domain check and just-in-time membership."""

from __future__ import annotations

import json
import uuid
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction
from redis.asyncio import Redis

from rapport.identity import audit
from rapport.identity.audit import Actor
from rapport.identity.members import index_membership
from rapport.identity.sessions import member_role
from rapport.identity.tables import Membership, SsoIdentity, SsoProvider
from rapport.kernel.errors import NotFoundError, UnauthorizedError

__all__ = [
    "SsoFailed", "check_domain", "join_just_in_time", "provider_kind", "remember_state", "take_state",
]  # fmt: skip


class SsoFailed(UnauthorizedError):
    type_slug = "sso-failed"
    title = "Single sign-on failed"


STATE_SECONDS = 600


def _state_key(flow: str, tenant: TenantContext, state: str) -> str:
    return f"rapport:{flow}-state:t:{tenant.id}:{state}"


async def remember_state(
    redis: Redis, flow: str, tenant: TenantContext, state: str, data: dict[str, Any]
) -> None:
    """Keep what a sign-in started with for 10 minutes, under a key bound to the tenant."""
    await redis.set(_state_key(flow, tenant, state), json.dumps(data), ex=STATE_SECONDS)


async def take_state(redis: Redis, flow: str, tenant: TenantContext, state: str) -> dict[str, Any]:
    """What a sign-in started with, once (GETDEL); refused if unknown, expired, used or another tenant's."""
    raw = await redis.getdel(_state_key(flow, tenant, state))
    if raw is None:
        raise SsoFailed("This sign-in is unknown, expired or was used already; start again.")
    data: dict[str, Any] = json.loads(raw)
    return data


async def provider_kind(tenant: TenantContext, provider_id: uuid.UUID) -> str:
    """``oidc`` or ``saml``; 404 when the provider is not this tenant's."""
    kind = (
        await SsoProvider.select(SsoProvider.kind)
        .where((SsoProvider.id == provider_id) & (SsoProvider.tenant_id == tenant.id))
        .first()
    )
    if kind is None:
        raise NotFoundError("There is no such identity provider in this workspace.")
    return str(kind["kind"])


def check_domain(provider: dict[str, Any], email: str) -> str:
    """``email`` (lower case) when its domain may sign in through ``provider`` (no list: any domain)."""
    domains = [domain.lower() for domain in provider["allowed_domains"]]
    if domains and email.rsplit("@", 1)[-1] not in domains:
        raise SsoFailed(f"{email} is not in a domain allowed to sign in here.")
    return email


async def join_just_in_time(
    tenant: TenantContext, provider: dict[str, Any], subject: str, email: str, ip: str
) -> tuple[uuid.UUID, str]:
    """The user of this subject (linked on first use by verified email), made a member just in time."""
    async with tenant_transaction(tenant) as transaction:
        connection = transaction.connection
        user_id: uuid.UUID | None = await connection.fetchval(
            "SELECT user_id FROM control.sso_identities WHERE provider_id = $1 AND subject = $2",
            provider["id"],
            subject,
        )
        if user_id is None:
            user_id = await connection.fetchval(
                "INSERT INTO control.users (id, email, password_hash, email_verified, created_at) "
                "VALUES ($1, $2, NULL, true, now()) ON CONFLICT (email) DO UPDATE SET email_verified = true "
                "RETURNING id",
                uuid.uuid4(),
                email,
            )
            await SsoIdentity.insert(
                SsoIdentity(id=uuid.uuid4(), provider_id=provider["id"], subject=subject, user_id=user_id)
            )
        assert user_id is not None
        role = await member_role(tenant, user_id)
        if role is None:
            role = provider["default_role"]
            await Membership.insert(Membership(user_id=user_id, role=role, active=True))
            await index_membership(connection, user_id, tenant.id)
            actor = Actor(user_id, email, "sso", ip)
            await audit.record(
                actor, "membership.created", "user", user_id, {"role": (None, role), "via": (None, "sso")}
            )
    return user_id, role
