"""API keys: per user and tenant, shown once, stored as a hash, scoped, revocable, last use recorded."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction
from rapport_tenants.names import check_schema_name

from rapport.identity import audit
from rapport.identity.access import Access, access_columns, access_from_row
from rapport.identity.audit import Actor
from rapport.identity.credentials import hash_token, new_api_key, parse_api_key, tokens_match
from rapport.identity.principal import Principal
from rapport.identity.tables import ApiKey, Role
from rapport.kernel.db import fetch_one
from rapport.kernel.errors import ConflictError, FieldError, NotFoundError, ValidationFailed

__all__ = [
    "KNOWN_SCOPES",
    "MAX_KEYS_PER_USER",
    "CreatedKey",
    "api_key_principal",
    "create_api_key",
    "list_api_keys",
    "revoke_api_key",
]

KNOWN_SCOPES = frozenset({"read", "write"})
MAX_KEYS_PER_USER = 50
_TOUCH_EVERY = dt.timedelta(minutes=1)
_MANAGE_ALL = {Role.OWNER.value, Role.ADMIN.value}


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: str
    record: dict[str, Any]


_COLUMNS = (
    ApiKey.id, ApiKey.prefix, ApiKey.name, ApiKey.user_id, ApiKey.scopes, ApiKey.created_at,
    ApiKey.last_used_at, ApiKey.expires_at, ApiKey.revoked_at,
)  # fmt: skip


async def create_api_key(
    tenant: TenantContext,
    principal: Principal,
    actor: Actor,
    name: str,
    scopes: list[str],
    expires_at: dt.datetime | None,
) -> CreatedKey:
    """A new key for the caller in the caller's tenant; the full key is returned this once only."""
    errors = []
    if not name.strip():
        errors.append(FieldError("name", "is required"))
    unknown = sorted(set(scopes) - KNOWN_SCOPES)
    if not scopes or unknown:
        errors.append(FieldError("scopes", f"must be a non-empty subset of {sorted(KNOWN_SCOPES)}"))
    if expires_at is not None and expires_at <= dt.datetime.now(dt.UTC):
        errors.append(FieldError("expires_at", "must be in the future"))
    if errors:
        raise ValidationFailed("The API key is not valid.", errors=errors)
    async with tenant_transaction(tenant):
        return await _create(principal, actor, name, scopes, expires_at)


async def _create(
    principal: Principal, actor: Actor, name: str, scopes: list[str], expires_at: dt.datetime | None
) -> CreatedKey:
    count = await ApiKey.count().where(
        (ApiKey.user_id == principal.user_id)
        & (ApiKey.tenant_id == principal.tenant_id)
        & ApiKey.revoked_at.is_null()
    )
    if count >= MAX_KEYS_PER_USER:
        raise ConflictError(f"You have {MAX_KEYS_PER_USER} active keys; revoke one first.")
    key, prefix, secret = new_api_key()
    key_id = uuid.uuid4()
    await ApiKey.insert(
        ApiKey(
            id=key_id,
            prefix=prefix,
            secret_hash=hash_token(secret),
            name=name.strip(),
            user_id=principal.user_id,
            tenant_id=principal.tenant_id,
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
        )
    )
    record = await ApiKey.select(*_COLUMNS).where(ApiKey.id == key_id).first()
    assert record is not None
    await audit.record(
        actor, "api_key.created", "api_key", key_id,
        {"name": (None, record["name"]), "scopes": (None, record["scopes"]), "prefix": (None, prefix)},
    )  # fmt: skip
    return CreatedKey(key=key, record=record)


async def list_api_keys(principal: Principal) -> list[dict[str, Any]]:
    """The caller's keys in this tenant (owners and admins: everyone's), newest first."""
    query = ApiKey.select(*_COLUMNS).where(ApiKey.tenant_id == principal.tenant_id)
    if principal.role not in _MANAGE_ALL:
        query = query.where(ApiKey.user_id == principal.user_id)
    rows: list[dict[str, Any]] = await query.order_by(ApiKey.created_at, ascending=False).limit(500)
    return rows


async def revoke_api_key(
    tenant: TenantContext, principal: Principal, actor: Actor, key_id: uuid.UUID
) -> None:
    """Revoke one of the caller's keys (owners and admins: any key of the tenant). Idempotent."""
    where = (ApiKey.id == key_id) & (ApiKey.tenant_id == principal.tenant_id)
    if principal.role not in _MANAGE_ALL:
        where = where & (ApiKey.user_id == principal.user_id)
    async with tenant_transaction(tenant):
        found = await ApiKey.select(ApiKey.id).where(where).first()
        if found is None:
            raise NotFoundError("There is no such API key.")
        revoked_at = dt.datetime.now(dt.UTC)
        changed = (
            await ApiKey.update({ApiKey.revoked_at: revoked_at})
            .where(where & ApiKey.revoked_at.is_null())
            .returning(ApiKey.id)
        )
        if changed:
            await audit.record(
                actor, "api_key.revoked", "api_key", key_id, {"revoked_at": (None, revoked_at)}
            )


async def api_key_principal(tenant: TenantContext, presented: str) -> tuple[Principal, Access] | None:
    """The principal (and its access) of a live key of this tenant whose member is still active; or None."""
    parsed = parse_api_key(presented)
    if parsed is None:
        return None
    prefix, secret = parsed
    schema = check_schema_name(tenant.schema_name)
    row = await fetch_one(
        "SELECT k.id, k.secret_hash, k.scopes, k.last_used_at, u.id AS user_id, u.email, m.role, "
        f"{access_columns(schema, 'm.role', 'u.id')} "
        "FROM control.api_keys k JOIN control.users u ON u.id = k.user_id "
        f'JOIN "{schema}".memberships m ON m.user_id = u.id AND m.active '  # schema name checked above
        "WHERE k.prefix = $1 AND k.tenant_id = $2 AND k.revoked_at IS NULL "
        "AND (k.expires_at IS NULL OR k.expires_at > now())",
        prefix,
        tenant.id,
    )
    if row is None or not tokens_match(row["secret_hash"], secret):
        return None
    now = dt.datetime.now(dt.UTC)
    if row["last_used_at"] is None or row["last_used_at"] < now - _TOUCH_EVERY:
        await ApiKey.update({ApiKey.last_used_at: now}).where(ApiKey.id == row["id"])
    principal = Principal(
        user_id=row["user_id"],
        email=row["email"],
        tenant_id=tenant.id,
        role=row["role"],
        via="api_key",
        api_key_id=row["id"],
        scopes=frozenset(row["scopes"]),
    )
    return principal, access_from_row(principal, row)
