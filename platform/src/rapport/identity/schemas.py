"""Request and response bodies of the identity API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec

from rapport.identity.tables import Role

__all__ = [
    "Accepted",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyOut",
    "InvitationAccept",
    "InvitationCreate",
    "InvitationOut",
    "LoginRequest",
    "Me",
    "MySession",
    "MyTenant",
    "PasswordReset",
    "PasswordResetRequest",
    "RecoveryCodes",
    "SessionOut",
    "SessionsEnded",
    "TokenOnly",
    "TotpChallenge",
    "TotpCode",
    "TotpEnrollment",
    "TotpLogin",
]


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(max_length=320)]
    password: Annotated[str, msgspec.Meta(max_length=256)]


class SessionOut(msgspec.Struct, tag_field="status", tag="signed_in"):
    user_id: uuid.UUID
    email: str
    role: str
    tenant: str
    csrf_token: str
    """Send it as ``X-CSRF-Token`` with every request that changes something."""


class Me(msgspec.Struct):
    user_id: uuid.UUID
    email: str
    role: str
    tenant: str
    via: str
    totp_enabled: bool
    """Whether the caller has a confirmed authenticator app (second factor)."""


class SessionsEnded(msgspec.Struct):
    ended: int


class MyTenant(msgspec.Struct):
    id: uuid.UUID
    slug: str
    name: str
    url: str
    current: bool


class ApiKeyCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=100)]
    scopes: Annotated[list[str], msgspec.Meta(max_length=10)]
    expires_at: dt.datetime | None = None


class ApiKeyOut(msgspec.Struct):
    id: uuid.UUID
    prefix: str
    name: str
    user_id: uuid.UUID
    scopes: list[str]
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiKeyCreated(msgspec.Struct):
    key: str
    """The whole key: shown this once, never again."""
    api_key: ApiKeyOut


class MySession(msgspec.Struct):
    id: uuid.UUID
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime
    ip: str | None
    user_agent: str | None
    current: bool


class TotpChallenge(msgspec.Struct, tag_field="status", tag="totp_required"):
    """The password was right; send a code with this challenge to ``POST /api/v1/auth/login/totp``."""

    challenge: str


class TotpLogin(msgspec.Struct, forbid_unknown_fields=True):
    challenge: Annotated[str, msgspec.Meta(max_length=100)]
    code: Annotated[str, msgspec.Meta(max_length=40)]


class TotpCode(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(max_length=40)]


class TotpEnrollment(msgspec.Struct):
    secret: str
    otpauth_uri: str
    """Show it as a QR code; then confirm with a code from the app."""


class RecoveryCodes(msgspec.Struct):
    recovery_codes: list[str]
    """Each works once instead of a code; shown this once."""


class PasswordResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(max_length=320)]


class PasswordReset(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(max_length=100)]
    password: Annotated[str, msgspec.Meta(max_length=256)]


class TokenOnly(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(max_length=100)]


class InvitationCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(max_length=320)]
    role: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] = Role.MEMBER.value
    """A built-in role or a custom role's key."""


class InvitationOut(msgspec.Struct):
    id: uuid.UUID
    email: str
    role: str
    created_by: uuid.UUID | None
    created_at: dt.datetime
    expires_at: dt.datetime


class InvitationAccept(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(max_length=100)]
    password: Annotated[str, msgspec.Meta(max_length=256)]


class Accepted(msgspec.Struct):
    user_id: uuid.UUID
    tenant: str
