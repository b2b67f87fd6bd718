"""Single-use emailed tokens: issue one (only its hash is stored), and spend it exactly once."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

from rapport_tenants.context import TenantContext

from rapport.identity.credentials import hash_token
from rapport.identity.tables import ActionToken, TokenKind

__all__ = ["issue_token", "spend_token"]


async def issue_token(
    kind: TokenKind,
    tenant: TenantContext,
    email: str,
    lifetime: dt.timedelta,
    user_id: uuid.UUID | None = None,
    role: str | None = None,
    created_by: uuid.UUID | None = None,
) -> tuple[str, uuid.UUID]:
    """A new token (returned once, for the email) and its id."""
    token = secrets.token_urlsafe(32)
    token_id = uuid.uuid4()
    await ActionToken.insert(
        ActionToken(
            id=token_id,
            kind=kind.value,
            token_hash=hash_token(token),
            tenant_id=tenant.id,
            user_id=user_id,
            email=email,
            role=role,
            created_by=created_by,
            expires_at=dt.datetime.now(dt.UTC) + lifetime,
        )
    )
    return token, token_id


async def spend_token(kind: TokenKind, tenant: TenantContext, token: str) -> dict[str, Any] | None:
    """Mark the token used and return its row, if it is of this kind and tenant, unexpired and unused.

    One conditional UPDATE: two concurrent uses cannot both succeed.
    """
    rows: list[dict[str, Any]] = await ActionToken.raw(
        "UPDATE control.action_tokens SET used_at = now() "
        "WHERE token_hash = {} AND kind = {} AND tenant_id = {} AND used_at IS NULL AND expires_at > now() "
        "RETURNING id, user_id, email, role, created_by",
        hash_token(token),
        kind.value,
        tenant.id,
    )
    return rows[0] if rows else None
