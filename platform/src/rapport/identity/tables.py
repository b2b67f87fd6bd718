"""Identity tables: users are global (schema ``control``); memberships live in each tenant's schema."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import JSONB, UUID, Array, BigInt, BigSerial, Boolean, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table
from rapport_tenants.tables import CONTROL_SCHEMA

__all__ = [
    "ActionToken",
    "ApiKey",
    "AuditEvent",
    "Membership",
    "RecoveryCode",
    "Role",
    "Session",
    "SsoDomain",
    "SsoIdentity",
    "SsoProvider",
    "TokenKind",
    "TotpCredential",
    "User",
    "UserTenant",
]


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MANAGER = "manager"
    MEMBER = "member"
    READ_ONLY = "read-only"


class User(Table, tablename="users", schema=CONTROL_SCHEMA):
    """A person. One user may belong to several tenants (agencies do); email is unique, stored lowercased."""

    id = UUID(primary_key=True)
    email = Varchar(length=320, unique=True, index=True)
    password_hash = Varchar(length=200, null=True, default=None, secret=True)
    """argon2id; null for users who only sign in through SSO."""
    email_verified = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class Membership(Table, tablename="memberships"):
    """A user's membership in the tenant whose schema holds this row (no foreign key across schemas)."""

    id = BigSerial(primary_key=True)
    user_id = UUID(unique=True, index=True)
    role = Varchar(length=32, default=Role.MEMBER.value)
    """A built-in role (:class:`Role`) or the key of a custom role in this tenant's ``roles``."""
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class UserTenant(Table, tablename="user_tenants", schema=CONTROL_SCHEMA):
    """Which tenants a user belongs to: the global index of the per-tenant memberships (``/me/tenants``).

    Written in the same transaction as the membership it mirrors.
    """

    id = UUID(primary_key=True)
    user_id = UUID(index=True)
    tenant_id = UUID(index=True)
    created_at = Timestamptz(default=TimestamptzNow())

    unique_user_tenant = Unique([user_id, tenant_id])


class Session(Table, tablename="sessions", schema=CONTROL_SCHEMA):
    """A signed-in browser on one tenant's host. Only the SHA-256 of the cookie's token is stored."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    user_id = UUID(index=True)
    tenant_id = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    ip = Varchar(length=64, null=True, default=None)
    user_agent = Varchar(length=300, null=True, default=None)


class ApiKey(Table, tablename="api_keys", schema=CONTROL_SCHEMA):
    """A bearer key of one user in one tenant. Shown once; the prefix identifies it, the hash checks it."""

    id = UUID(primary_key=True)
    prefix = Varchar(length=16, unique=True)
    secret_hash = Varchar(length=64, secret=True)
    name = Varchar(length=100)
    user_id = UUID(index=True)
    tenant_id = UUID(index=True)
    scopes = Array(base_column=Varchar(length=32))
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class TotpCredential(Table, tablename="totp_credentials", schema=CONTROL_SCHEMA):
    """A user's TOTP second factor. Seed encrypted with the key ring; unconfirmed until a code checks."""

    id = UUID(primary_key=True)
    user_id = UUID(unique=True)
    secret_encrypted = Varchar(length=400, secret=True)
    confirmed_at = Timestamptz(null=True, default=None)
    last_used_step = BigInt(null=True, default=None)
    """The time step of the last accepted code: the same code is never accepted twice."""
    created_at = Timestamptz(default=TimestamptzNow())


class RecoveryCode(Table, tablename="recovery_codes", schema=CONTROL_SCHEMA):
    """One-time codes for a lost authenticator; only their SHA-256 is stored."""

    id = UUID(primary_key=True)
    user_id = UUID(index=True)
    code_hash = Varchar(length=64, unique=True)
    used_at = Timestamptz(null=True, default=None)


class TokenKind(StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of token, not a password
    EMAIL_VERIFICATION = "email_verification"
    INVITATION = "invitation"


class ActionToken(Table, tablename="action_tokens", schema=CONTROL_SCHEMA):
    """A single-use, expiring token sent by email: password reset, email verification, invitation.

    Only its SHA-256 is stored. Invitations carry the invited email and role; the others name the user.
    """

    id = UUID(primary_key=True)
    kind = Varchar(length=30, choices=TokenKind)
    token_hash = Varchar(length=64, unique=True)
    tenant_id = UUID(index=True)
    user_id = UUID(null=True, default=None, index=True)
    email = Varchar(length=320)
    role = Varchar(length=32, null=True, default=None)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class SsoProvider(Table, tablename="sso_providers", schema=CONTROL_SCHEMA):
    """A tenant's identity provider: OIDC (issuer, client id, secret encrypted with the key ring) or SAML
    (``issuer`` is the IdP's entity id; its metadata, with the signing certificates, in ``saml_metadata``)."""

    id = UUID(primary_key=True)
    tenant_id = UUID(index=True)
    kind = Varchar(length=10, default="oidc")
    name = Varchar(length=100)
    issuer = Varchar(length=500)
    client_id = Varchar(length=300)
    client_secret_encrypted = Varchar(length=1000, secret=True)
    allowed_domains = Array(base_column=Varchar(length=253))
    """Email domains that may sign in (and join just in time); empty: any domain."""
    default_role = Varchar(length=32, default="member")
    saml_metadata = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class SsoDomain(Table, tablename="sso_domains", schema=CONTROL_SCHEMA):
    """An email domain a tenant proved it controls (DNS TXT); ``enforce`` turns password sign-in off."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    domain = Varchar(length=253)
    token = Varchar(length=64)
    verified_at = Timestamptz(null=True, default=None)
    enforce = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())

    unique_tenant_domain = Unique([tenant_id, domain])


class SsoIdentity(Table, tablename="sso_identities", schema=CONTROL_SCHEMA):
    """Which user an identity provider's subject is."""

    id = UUID(primary_key=True)
    provider_id = UUID()
    subject = Varchar(length=255)
    user_id = UUID(index=True)
    created_at = Timestamptz(default=TimestamptzNow())

    unique_provider_subject = Unique([provider_id, subject])


class AuditEvent(Table, tablename="audit_events"):
    """A write, an admin action or a sign-in attempt in the tenant. Append-only: a trigger refuses changes."""

    id = BigSerial(primary_key=True)
    occurred_at = Timestamptz(default=TimestamptzNow(), index=True)
    action = Varchar(length=100)  # filters use (action, id)
    """``<object>.<verb>``, e.g. ``api_key.created``, ``auth.sign_in_failed``."""
    actor_user_id = UUID(null=True, default=None)  # filters use (actor_user_id, id)
    actor = Varchar(length=320, default="")
    """Who, for people: an email, ``api key rpk_<prefix>``, or ``system``."""
    via = Varchar(length=20, default="system")
    ip = Varchar(length=64, null=True, default=None)
    object_type = Varchar(length=50, default="")
    object_id = Varchar(length=100, default="")
    changes = JSONB(default={})
    """``{field: [before, after]}`` of the fields the action changed (secrets never included)."""
    request_id = Varchar(length=64, null=True, default=None)
