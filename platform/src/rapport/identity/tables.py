"""Identity tables: users are global (schema ``control``); memberships live in each tenant's schema."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import UUID, BigSerial, Boolean, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table
from rapport_tenants.tables import CONTROL_SCHEMA

__all__ = ["Membership", "Role", "User"]


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
    role = Varchar(length=32, choices=Role, default=Role.MEMBER)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
