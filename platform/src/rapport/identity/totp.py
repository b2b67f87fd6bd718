"""TOTP second factor (RFC 6238 through pyotp) with one-time recovery codes.

Seeds are encrypted with the key ring; a code is accepted once (the last accepted time step is stored and
the update is conditional, so two concurrent uses of one code cannot both pass); recovery codes are stored
as SHA-256 and spent atomically.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import time
import uuid

import pyotp
from rapport_tenants.context import TenantContext, tenant_transaction
from rapport_tenants.tables import CONTROL_SCHEMA

from rapport.identity import audit
from rapport.identity.audit import Actor
from rapport.identity.credentials import hash_token
from rapport.identity.principal import Principal
from rapport.identity.tables import RecoveryCode, TotpCredential
from rapport.kernel.db import fetch_one
from rapport.kernel.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from rapport.kernel.keyring import KeyRing

__all__ = [
    "ISSUER",
    "RECOVERY_CODE_COUNT",
    "confirm_totp",
    "disable_totp",
    "has_totp",
    "start_totp",
    "use_second_factor",
]

ISSUER = "Rapport"
RECOVERY_CODE_COUNT = 10
STEP_SECONDS = 30


def _matching_step(secret: str, code: str, after_step: int | None) -> int | None:
    """The time step (now, or one either side for clock drift) whose code is ``code``, if not used yet."""
    totp = pyotp.TOTP(secret)
    current = int(time.time() // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if (after_step is None or step > after_step) and hmac.compare_digest(
            totp.at(step * STEP_SECONDS), code
        ):
            return step
    return None


def _recovery_codes() -> list[str]:
    return [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODE_COUNT)]


_HAS_TOTP = f"SELECT 1 FROM {CONTROL_SCHEMA}.totp_credentials WHERE user_id = $1 AND confirmed_at IS NOT NULL"


async def has_totp(user_id: uuid.UUID) -> bool:
    """Whether the user signs in with a confirmed second factor (asked on every ``GET /me``: one raw
    statement on the pool, which costs less than building the query)."""
    return await fetch_one(_HAS_TOTP, user_id) is not None


async def start_totp(
    keyring: KeyRing, tenant: TenantContext, principal: Principal, actor: Actor
) -> tuple[str, str]:
    """A new seed for the caller (replacing an unconfirmed one); returns (seed, otpauth:// URI for a QR)."""
    if await has_totp(principal.user_id):
        raise ConflictError(
            "Two-factor sign-in is on already; turn it off first to enrol a new authenticator."
        )
    secret = pyotp.random_base32()
    async with tenant_transaction(tenant):
        await TotpCredential.delete().where(TotpCredential.user_id == principal.user_id)
        await TotpCredential.insert(
            TotpCredential(
                id=uuid.uuid4(), user_id=principal.user_id, secret_encrypted=keyring.encrypt(secret)
            )
        )
        await audit.record(actor, "totp.enrollment_started", "user", principal.user_id)
    uri = pyotp.TOTP(secret).provisioning_uri(name=principal.email, issuer_name=ISSUER)
    return secret, uri


async def confirm_totp(
    keyring: KeyRing, tenant: TenantContext, principal: Principal, actor: Actor, code: str
) -> list[str]:
    """Turn TOTP on once a code from the new authenticator checks; returns new recovery codes (shown once)."""
    row = (
        await TotpCredential.select()
        .where((TotpCredential.user_id == principal.user_id) & TotpCredential.confirmed_at.is_null())
        .first()
    )
    if row is None:
        raise NotFoundError("Start enrolling an authenticator first.")
    step = _matching_step(keyring.decrypt(row["secret_encrypted"]), code.strip(), None)
    if step is None:
        raise ValidationFailed("That code does not match.", errors=[FieldError("code", "does not match")])
    codes = _recovery_codes()
    async with tenant_transaction(tenant):
        await TotpCredential.update(
            {TotpCredential.confirmed_at: dt.datetime.now(dt.UTC), TotpCredential.last_used_step: step}
        ).where(TotpCredential.id == row["id"])
        await RecoveryCode.delete().where(RecoveryCode.user_id == principal.user_id)
        await RecoveryCode.insert(
            *[
                RecoveryCode(id=uuid.uuid4(), user_id=principal.user_id, code_hash=hash_token(c))
                for c in codes
            ]
        )
        await audit.record(actor, "totp.enabled", "user", principal.user_id)
    return codes


async def use_second_factor(keyring: KeyRing, user_id: uuid.UUID, code: str) -> str | None:
    """Accept a TOTP code or an unused recovery code, once; returns which one (``totp``/``recovery_code``)."""
    code = code.strip()
    row = (
        await TotpCredential.select(TotpCredential.secret_encrypted, TotpCredential.last_used_step)
        .where((TotpCredential.user_id == user_id) & TotpCredential.confirmed_at.is_not_null())
        .first()
    )
    if row is None:
        return None
    step = _matching_step(keyring.decrypt(row["secret_encrypted"]), code, row["last_used_step"])
    if step is not None:
        taken = await TotpCredential.raw(
            "UPDATE control.totp_credentials SET last_used_step = {} WHERE user_id = {} "
            "AND (last_used_step IS NULL OR last_used_step < {}) RETURNING id",
            step,
            user_id,
            step,
        )
        return "totp" if taken else None
    spent = await RecoveryCode.raw(
        "UPDATE control.recovery_codes SET used_at = now() WHERE user_id = {} AND code_hash = {} "
        "AND used_at IS NULL RETURNING id",
        user_id,
        hash_token(code),
    )
    return "recovery_code" if spent else None


async def disable_totp(
    keyring: KeyRing, tenant: TenantContext, principal: Principal, actor: Actor, code: str
) -> None:
    """Turn TOTP off; needs a current code or a recovery code, so a stolen session alone cannot."""
    if not await has_totp(principal.user_id):
        raise NotFoundError("Two-factor sign-in is not on.")
    if await use_second_factor(keyring, principal.user_id, code) is None:
        raise ValidationFailed("That code does not match.", errors=[FieldError("code", "does not match")])
    async with tenant_transaction(tenant):
        await TotpCredential.delete().where(TotpCredential.user_id == principal.user_id)
        await RecoveryCode.delete().where(RecoveryCode.user_id == principal.user_id)
        await audit.record(actor, "totp.disabled", "user", principal.user_id)
