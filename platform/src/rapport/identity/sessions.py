"""Password sign-in and browser sessions (one per tenant host), without telling who has an account."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

import structlog
from rapport_tenants.context import TenantContext, tenant_transaction
from rapport_tenants.names import check_schema_name
from redis.asyncio import Redis

from rapport.identity import audit
from rapport.identity.access import Access, access_columns, access_from_row
from rapport.identity.audit import Actor
from rapport.identity.credentials import hash_token, new_session_token
from rapport.identity.domains import SsoRequired, enforced_for
from rapport.identity.passwords import hash_password_sync, verify_password
from rapport.identity.principal import Principal
from rapport.identity.tables import Session, User
from rapport.identity.totp import has_totp, use_second_factor
from rapport.kernel.db import fetch_one
from rapport.kernel.errors import ForbiddenError, NotFoundError, UnauthorizedError
from rapport.kernel.keyring import KeyRing
from rapport.kernel.ratelimit import enforce_rate_limit, rate_limit_key

__all__ = [
    "SESSION_LIFETIME",
    "SignedIn",
    "TotpRequired",
    "finish_totp_sign_in",
    "list_sessions",
    "member_role",
    "revoke_other_sessions",
    "revoke_session",
    "session_principal",
    "sign_in",
    "sign_out",
    "start_session",
]

log = structlog.get_logger(__name__)
SESSION_LIFETIME = dt.timedelta(days=14)
LOGIN_ATTEMPTS_PER_IP_PER_MINUTE = 30
LOGIN_ATTEMPTS_PER_ACCOUNT_PER_15_MINUTES = 10
CHALLENGE_SECONDS = 300
_TOUCH_EVERY = dt.timedelta(minutes=5)


@cache
def _dummy_hash() -> str:
    # Verified when the email has no account, so a miss costs what a wrong password costs. Made on first
    # use: argon2 at import time would slow every process start.
    return hash_password_sync(uuid.uuid4().hex)


_INVALID = "Invalid email or password."


@dataclass(frozen=True, slots=True)
class TotpRequired:
    """The password was right; a second factor is due, for this challenge."""

    challenge: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str
    session_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    role: str


async def _limit_attempts(redis: Redis, tenant: TenantContext, email: str, ip: str) -> None:
    # The account key is a hash of the address: counting attempts must not store who tried.
    account = hashlib.sha256(f"{tenant.id}:{email}".encode()).hexdigest()[:32]
    await enforce_rate_limit(redis, rate_limit_key("login", "ip", ip), LOGIN_ATTEMPTS_PER_IP_PER_MINUTE, 60)
    await enforce_rate_limit(
        redis, rate_limit_key("login", "account", account), LOGIN_ATTEMPTS_PER_ACCOUNT_PER_15_MINUTES, 900
    )


async def member_role(tenant: TenantContext, user_id: uuid.UUID) -> str | None:
    schema = check_schema_name(tenant.schema_name)
    rows = await User.raw(
        # The schema name passed check_schema_name above.
        f'SELECT role FROM "{schema}".memberships WHERE user_id = {{}} AND active',
        user_id,
    )
    return str(rows[0]["role"]) if rows else None


async def sign_in(
    redis: Redis, tenant: TenantContext, email: str, password: str, ip: str, user_agent: str
) -> SignedIn | TotpRequired:
    """Check the password and the membership in ``tenant``; open a session. One answer for every failure."""
    email = email.strip().lower()
    await _limit_attempts(redis, tenant, email, ip)
    user = await User.select(User.id, User.email, User.password_hash).where(User.email == email).first()
    valid = await verify_password(
        user["password_hash"] if user and user["password_hash"] else _dummy_hash(), password
    )
    role = await member_role(tenant, user["id"]) if user and valid else None
    if user is None or not valid or role is None:
        await _failed(tenant, Actor.anonymous(email, ip), "auth.sign_in_failed", email)
        raise UnauthorizedError(_INVALID)
    if role != "owner" and await enforced_for(tenant, email):  # owners keep a break-glass password
        await _failed(
            tenant, Actor(user["id"], email, "session", ip), "auth.password_refused_sso", user["id"]
        )
        raise SsoRequired("Your organization signs in with single sign-on here; use its button instead.")
    if await has_totp(user["id"]):
        challenge = secrets.token_urlsafe(32)
        await redis.set(
            _challenge_key(tenant, challenge),
            json.dumps([str(user["id"]), user["email"]]),
            ex=CHALLENGE_SECONDS,
        )
        return TotpRequired(challenge)
    return await start_session(tenant, user["id"], user["email"], role, ip, user_agent, {})


async def finish_totp_sign_in(
    redis: Redis, keyring: KeyRing, tenant: TenantContext, challenge: str, code: str, ip: str, user_agent: str
) -> SignedIn:
    """Second step: a TOTP or recovery code for the password step's challenge (5 tries, 5 minutes)."""
    key = _challenge_key(tenant, challenge)
    await enforce_rate_limit(redis, key + ":tries", 5, CHALLENGE_SECONDS)
    stored = await redis.get(key)
    if stored is None:
        raise UnauthorizedError("This sign-in has expired; enter your password again.")
    user_id_text, email = json.loads(stored)
    user_id = uuid.UUID(user_id_text)
    used = await use_second_factor(keyring, user_id, code)
    role = await member_role(tenant, user_id) if used else None
    if used is None or role is None:
        await _failed(tenant, Actor(user_id, email, "session", ip), "auth.second_factor_failed", user_id)
        raise UnauthorizedError("That code does not match.")
    await redis.delete(key)
    return await start_session(tenant, user_id, email, role, ip, user_agent, {"second_factor": (None, used)})


def _challenge_key(tenant: TenantContext, challenge: str) -> str:
    return f"rapport:login-challenge:t:{tenant.id}:{hash_token(challenge)}"


async def _failed(tenant: TenantContext, actor: Actor, action: str, object_id: object) -> None:
    log.info(action, tenant=tenant.slug, ip=actor.ip)
    async with tenant_transaction(tenant):
        await audit.record(actor, action, "user", object_id)


async def start_session(
    tenant: TenantContext,
    user_id: uuid.UUID,
    email: str,
    role: str,
    ip: str,
    user_agent: str,
    changes: dict[str, tuple[Any, Any]],
) -> SignedIn:
    token = new_session_token()
    session_id = uuid.uuid4()
    async with tenant_transaction(tenant):
        await _open_session(session_id, token, user_id, tenant, ip, user_agent)
        await audit.record(
            Actor(user_id, email, "session", ip), "auth.signed_in", "session", session_id, changes
        )
    log.info("signed_in", tenant=tenant.slug, user_id=str(user_id), session_id=str(session_id))
    return SignedIn(token, session_id, user_id, email, role)


async def _open_session(
    session_id: uuid.UUID, token: str, user_id: uuid.UUID, tenant: TenantContext, ip: str, user_agent: str
) -> None:
    await Session.insert(
        Session(
            id=session_id,
            token_hash=hash_token(token),
            user_id=user_id,
            tenant_id=tenant.id,
            expires_at=dt.datetime.now(dt.UTC) + SESSION_LIFETIME,
            ip=ip[:64],
            user_agent=user_agent[:300],
        )
    )


async def session_principal(tenant: TenantContext, token: str) -> tuple[Principal, Access] | None:
    """The live session of ``token`` on this tenant, with the user's current role and access; None if none.

    One statement: the session, the member and their :class:`Access` (it runs on every request).
    """
    schema = check_schema_name(tenant.schema_name)
    row = await fetch_one(
        "SELECT s.id, s.last_seen_at, u.id AS user_id, u.email, m.role, "
        f"{access_columns(schema, 'm.role', 'u.id')} FROM control.sessions s "
        "JOIN control.users u ON u.id = s.user_id "
        f'JOIN "{schema}".memberships m ON m.user_id = u.id AND m.active '  # schema name checked above
        "WHERE s.token_hash = $1 AND s.tenant_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()",
        hash_token(token),
        tenant.id,
    )
    if row is None:
        return None
    if row["last_seen_at"] < dt.datetime.now(dt.UTC) - _TOUCH_EVERY:
        await Session.update({Session.last_seen_at: dt.datetime.now(dt.UTC)}).where(Session.id == row["id"])
    principal = Principal(
        user_id=row["user_id"],
        email=row["email"],
        tenant_id=tenant.id,
        role=row["role"],
        via="session",
        session_id=row["id"],
    )
    return principal, access_from_row(principal, row)


async def sign_out(tenant: TenantContext, actor: Actor, session_id: uuid.UUID) -> None:
    async with tenant_transaction(tenant):
        await Session.update({Session.revoked_at: dt.datetime.now(dt.UTC)}).where(
            (Session.id == session_id) & Session.revoked_at.is_null()
        )
        await audit.record(actor, "auth.signed_out", "session", session_id)


async def list_sessions(principal: Principal) -> list[dict[str, Any]]:
    """The caller's live sessions on this tenant, newest first (the current one flagged by the caller)."""
    rows: list[dict[str, Any]] = (
        await Session.select(
            Session.id,
            Session.created_at,
            Session.last_seen_at,
            Session.expires_at,
            Session.ip,
            Session.user_agent,
        )
        .where(
            (Session.user_id == principal.user_id)
            & (Session.tenant_id == principal.tenant_id)
            & Session.revoked_at.is_null()
            & (Session.expires_at > dt.datetime.now(dt.UTC))
        )
        .order_by(Session.created_at, ascending=False)
        .limit(200)
    )
    return rows


async def revoke_session(
    tenant: TenantContext, principal: Principal, actor: Actor, session_id: uuid.UUID
) -> None:
    """End one of the caller's own sessions (another browser, a lost laptop). Unknown or not theirs: 404."""
    where = (
        (Session.id == session_id)
        & (Session.user_id == principal.user_id)
        & (Session.tenant_id == principal.tenant_id)
        & Session.revoked_at.is_null()
    )
    revoked = (
        await Session.update({Session.revoked_at: dt.datetime.now(dt.UTC)}).where(where).returning(Session.id)
    )
    if not revoked:
        raise NotFoundError("There is no such session.")


async def revoke_other_sessions(tenant: TenantContext, principal: Principal, actor: Actor) -> int:
    """End every session of the caller on this workspace but the one making the request; how many ended."""
    if principal.via != "session" or principal.session_id is None:
        raise ForbiddenError("Sign your other sessions out from a signed-in browser, not with an API key.")
    ended = (
        await Session.update({Session.revoked_at: dt.datetime.now(dt.UTC)})
        .where(
            (Session.user_id == principal.user_id)
            & (Session.tenant_id == principal.tenant_id)
            & (Session.id != principal.session_id)
            & Session.revoked_at.is_null()
        )
        .returning(Session.id)
    )
    if ended:
        async with tenant_transaction(tenant):
            await audit.record(actor, "auth.other_sessions_ended", "user", principal.user_id, {
                "sessions": (None, len(ended))
            })  # fmt: skip
    return len(ended)
