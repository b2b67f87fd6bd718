"""Invitations: an owner or admin invites an email with a role; accepting makes the membership (and user)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction
from redis.asyncio import Redis

from rapport.identity import audit
from rapport.identity.audit import Actor
from rapport.identity.members import index_membership
from rapport.identity.passwords import hash_password, password_problem, verify_password
from rapport.identity.principal import Principal
from rapport.identity.roles import role_exists
from rapport.identity.sessions import member_role
from rapport.identity.tables import ActionToken, Membership, Role, TokenKind, User
from rapport.identity.tokens import issue_token, spend_token
from rapport.kernel.errors import ConflictError, FieldError, ForbiddenError, NotFoundError, ValidationFailed
from rapport.kernel.mail import send_mail
from rapport.kernel.ratelimit import enforce_rate_limit, rate_limit_key
from rapport.kernel.settings import Settings

__all__ = [
    "INVITATIONS_PER_HOUR",
    "INVITATION_LIFETIME",
    "accept_invitation",
    "invite",
    "pending_invitations",
    "revoke_invitation",
]

INVITATION_LIFETIME = dt.timedelta(days=7)
INVITATIONS_PER_HOUR = 50
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


async def invite(
    settings: Settings,
    redis: Redis,
    tenant: TenantContext,
    principal: Principal,
    actor: Actor,
    email: str,
    role: str,
) -> uuid.UUID:
    """Email an invitation to join ``tenant`` as ``role`` (built in or custom); only owners invite owners.

    At most ``INVITATIONS_PER_HOUR`` per inviter: invitations send mail to addresses the caller chooses.
    """
    await enforce_rate_limit(
        redis,
        rate_limit_key("invite", "t", str(tenant.id), "user", str(principal.user_id)),
        INVITATIONS_PER_HOUR,
        3600,
    )
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ValidationFailed(
            "The invitation is not valid.", errors=[FieldError("email", "is not an email address")]
        )
    if role == Role.OWNER.value and principal.role != Role.OWNER.value:
        raise ForbiddenError("Only owners can invite owners.")
    user = await User.select(User.id).where(User.email == email).first()
    if user is not None and await member_role(tenant, user["id"]) is not None:
        raise ConflictError(
            f"{email} is a member already.", errors=[FieldError("email", "is a member already")]
        )
    async with tenant_transaction(tenant):
        if not await role_exists(role):
            raise ValidationFailed(
                "The invitation is not valid.", errors=[FieldError("role", f"unknown role {role!r}")]
            )
        token, token_id = await issue_token(
            TokenKind.INVITATION,
            tenant,
            email,
            INVITATION_LIFETIME,
            role=role,
            created_by=principal.user_id,
        )
        await audit.record(
            actor,
            "invitation.created",
            "invitation",
            token_id,
            {"email": (None, email), "role": (None, role)},
        )
    await send_mail(
        settings, email, f"Join {tenant.display_name or tenant.slug} on Rapport",
        f"{principal.email} invites you to {tenant.display_name or tenant.slug} as {role}.\n\n"
        f"Accept within 7 days:\n{settings.tenant_url(tenant.slug)}accept-invitation?token={token}\n",
    )  # fmt: skip
    return token_id


async def pending_invitations(tenant: TenantContext) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await ActionToken.select(
        ActionToken.id, ActionToken.email, ActionToken.role, ActionToken.created_by, ActionToken.created_at,
        ActionToken.expires_at,
    ).where(
        (ActionToken.tenant_id == tenant.id) & (ActionToken.kind == TokenKind.INVITATION.value)
        & ActionToken.used_at.is_null() & (ActionToken.expires_at > dt.datetime.now(dt.UTC))
    ).order_by(ActionToken.created_at, ascending=False).limit(500)  # fmt: skip
    return rows


async def revoke_invitation(tenant: TenantContext, actor: Actor, invitation_id: uuid.UUID) -> None:
    async with tenant_transaction(tenant):
        revoked = await ActionToken.update({ActionToken.used_at: dt.datetime.now(dt.UTC)}).where(
            (ActionToken.id == invitation_id) & (ActionToken.tenant_id == tenant.id)
            & (ActionToken.kind == TokenKind.INVITATION.value) & ActionToken.used_at.is_null()
        ).returning(ActionToken.id)  # fmt: skip
        if not revoked:
            raise NotFoundError("There is no such pending invitation.")
        await audit.record(actor, "invitation.revoked", "invitation", invitation_id)


async def accept_invitation(tenant: TenantContext, token: str, password: str, ip: str) -> uuid.UUID:
    """Join by invitation: an existing account proves itself with its password; a new one chooses one."""
    async with tenant_transaction(tenant) as transaction:
        row = await spend_token(TokenKind.INVITATION, tenant, token)
        if row is None:
            raise ValidationFailed(
                "This invitation has expired, was revoked or was used already.",
                errors=[FieldError("token", "is expired or used")],
            )
        user_id = await _account_for(row["email"], password)
        if await Membership.exists().where(Membership.user_id == user_id):
            raise ConflictError("You are a member already.")
        await Membership.insert(Membership(user_id=user_id, role=row["role"], active=True))
        await index_membership(transaction.connection, user_id, tenant.id)
        actor = Actor(user_id, row["email"], "invitation", ip)
        await audit.record(actor, "invitation.accepted", "invitation", row["id"])
        await audit.record(actor, "membership.created", "user", user_id, {"role": (None, row["role"])})
    return user_id


async def _account_for(email: str, password: str) -> uuid.UUID:
    existing = await User.select(User.id, User.password_hash).where(User.email == email).first()
    if existing is not None:
        if not existing["password_hash"] or not await verify_password(existing["password_hash"], password):
            raise ValidationFailed(
                "An account with this email exists: enter its password.",
                errors=[FieldError("password", "is not this account's password")],
            )
        return uuid.UUID(str(existing["id"]))
    problem = password_problem(password, [email])
    if problem:
        raise ValidationFailed("Choose another password.", errors=[FieldError("password", problem)])
    user_id = uuid.uuid4()
    # The invitation link reached this address: the email is verified.
    await User.insert(
        User(id=user_id, email=email, password_hash=await hash_password(password), email_verified=True)
    )
    return user_id
