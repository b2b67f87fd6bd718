"""Password reset and email verification by emailed, single-use links. Replies never reveal accounts."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from rapport_tenants.context import TenantContext, tenant_transaction
from redis.asyncio import Redis

from rapport.identity import audit
from rapport.identity.audit import Actor
from rapport.identity.passwords import hash_password, password_problem, verify_password
from rapport.identity.principal import Principal
from rapport.identity.sessions import member_role
from rapport.identity.tables import Session, TokenKind, User
from rapport.identity.tokens import issue_token, spend_token
from rapport.kernel.errors import ConflictError, FieldError, ForbiddenError, ValidationFailed
from rapport.kernel.mail import send_mail
from rapport.kernel.ratelimit import enforce_rate_limit, rate_limit_key
from rapport.kernel.settings import Settings

__all__ = [
    "RESET_LIFETIME",
    "VERIFY_LIFETIME",
    "change_password",
    "request_password_reset",
    "reset_password",
    "send_verification",
    "verify_email",
]

RESET_LIFETIME = dt.timedelta(hours=1)
VERIFY_LIFETIME = dt.timedelta(days=3)


async def request_password_reset(
    settings: Settings, redis: Redis, tenant: TenantContext, email: str, ip: str
) -> None:
    """Email a reset link if ``email`` is a member of ``tenant``; say nothing either way."""
    email = email.strip().lower()
    account = hashlib.sha256(f"{tenant.id}:{email}".encode()).hexdigest()[:32]
    await enforce_rate_limit(redis, rate_limit_key("reset", "ip", ip), 10, 3600)
    await enforce_rate_limit(redis, rate_limit_key("reset", "account", account), 3, 3600)
    user = await User.select(User.id).where(User.email == email).first()
    if user is None or await member_role(tenant, user["id"]) is None:
        return
    async with tenant_transaction(tenant):
        token, _ = await issue_token(TokenKind.PASSWORD_RESET, tenant, email, RESET_LIFETIME, user["id"])
        await audit.record(Actor.anonymous(email, ip), "auth.password_reset_requested", "user", user["id"])
    await send_mail(
        settings, email, "Reset your Rapport password",
        f"Someone asked to reset the password of {email} for {tenant.display_name or tenant.slug}.\n\n"
        "Choose a new password within an hour:\n"
        f"{settings.tenant_url(tenant.slug)}reset-password?token={token}\n\n"
        "If it was not you, ignore this email; your password stays as it is.\n",
    )  # fmt: skip


async def reset_password(tenant: TenantContext, token: str, password: str, ip: str) -> None:
    """Set a new password from a reset link; every session of the user ends (they may be an attacker's)."""
    problem = password_problem(password)
    if problem:
        raise ValidationFailed("The password is not acceptable.", errors=[FieldError("password", problem)])
    password_hash = await hash_password(password)
    async with tenant_transaction(tenant):
        row = await spend_token(TokenKind.PASSWORD_RESET, tenant, token)
        if row is None:
            raise ValidationFailed(
                "This link has expired or was used already; ask for a new one.",
                errors=[FieldError("token", "is expired or used")],
            )
        user_id: uuid.UUID = row["user_id"]
        await User.update({User.password_hash: password_hash, User.email_verified: True}).where(
            User.id == user_id
        )
        await Session.update({Session.revoked_at: dt.datetime.now(dt.UTC)}).where(
            (Session.user_id == user_id) & Session.revoked_at.is_null()
        )
        await audit.record(
            Actor(user_id, row["email"], "reset-link", ip), "auth.password_reset", "user", user_id
        )


async def change_password(
    redis: Redis, tenant: TenantContext, principal: Principal, actor: Actor, current: str, new: str
) -> None:
    """A signed-in member sets a new password: the current one is checked (10 tries an hour), the new one
    must be strong, and every other session of theirs ends (this one stays)."""
    if principal.via != "session" or principal.session_id is None:
        raise ForbiddenError("Change your password from a signed-in browser, not with an API key.")
    await enforce_rate_limit(redis, rate_limit_key("password", "user", str(principal.user_id)), 10, 3600)
    row = await User.select(User.password_hash, User.email).where(User.id == principal.user_id).first()
    if row is None or not row["password_hash"] or not await verify_password(row["password_hash"], current):
        raise ValidationFailed(
            "The current password is not right.", errors=[FieldError("current_password", "is not right")]
        )
    problem = password_problem(new, [row["email"]]) or (
        "is the same as the current one" if new == current else None
    )
    if problem:
        raise ValidationFailed(
            "The password is not acceptable.", errors=[FieldError("new_password", problem)]
        )
    password_hash = await hash_password(new)
    async with tenant_transaction(tenant):
        await User.update({User.password_hash: password_hash}).where(User.id == principal.user_id)
        await Session.update({Session.revoked_at: dt.datetime.now(dt.UTC)}).where(
            (Session.user_id == principal.user_id)
            & Session.revoked_at.is_null()
            & (Session.id != principal.session_id)
        )
        await audit.record(actor, "auth.password_changed", "user", principal.user_id)


async def send_verification(
    settings: Settings, tenant: TenantContext, principal: Principal, actor: Actor
) -> None:
    """Email the caller a link that proves they own their address."""
    verified = await User.select(User.email_verified).where(User.id == principal.user_id).first()
    if verified and verified["email_verified"]:
        raise ConflictError("Your email address is verified already.")
    async with tenant_transaction(tenant):
        token, _ = await issue_token(
            TokenKind.EMAIL_VERIFICATION, tenant, principal.email, VERIFY_LIFETIME, principal.user_id
        )
        await audit.record(actor, "user.verification_sent", "user", principal.user_id)
    await send_mail(
        settings, principal.email, "Confirm your email address",
        f"Confirm {principal.email} for Rapport:\n"
        f"{settings.tenant_url(tenant.slug)}verify-email?token={token}\n",
    )  # fmt: skip


async def verify_email(tenant: TenantContext, token: str, ip: str) -> None:
    async with tenant_transaction(tenant):
        row = await spend_token(TokenKind.EMAIL_VERIFICATION, tenant, token)
        if row is None:
            raise ValidationFailed(
                "This link has expired or was used already.",
                errors=[FieldError("token", "is expired or used")],
            )
        await User.update({User.email_verified: True}).where(User.id == row["user_id"])
        actor = Actor(row["user_id"], row["email"], "email-link", ip)
        await audit.record(
            actor, "user.email_verified", "user", row["user_id"], {"email_verified": (False, True)}
        )
