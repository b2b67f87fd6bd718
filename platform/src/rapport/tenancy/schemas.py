"""Request and response bodies of the tenancy API (msgspec structs at the edge)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec

__all__ = [
    "AdminTenant",
    "AdminTenantPage",
    "DeletionScheduled",
    "RestoredTenant",
    "SignupRequest",
    "SignupResponse",
    "SuspendRequest",
    "Workspace",
]


class SignupRequest(msgspec.Struct, forbid_unknown_fields=True):
    organization_name: Annotated[str, msgspec.Meta(max_length=200)]
    slug: Annotated[str, msgspec.Meta(max_length=63, description="The subdomain: acme → acme.<domain>")]
    admin_email: Annotated[str, msgspec.Meta(max_length=320)]
    password: Annotated[str, msgspec.Meta(max_length=256)]


class SignupTenant(msgspec.Struct):
    id: uuid.UUID
    slug: str
    name: str


class SignupAdmin(msgspec.Struct):
    id: uuid.UUID
    email: str


class SignupResponse(msgspec.Struct):
    tenant: SignupTenant
    admin: SignupAdmin
    url: str


class Workspace(msgspec.Struct):
    """What a workspace's sign-in page shows."""

    slug: str
    name: str
    timezone: str
    locale: str


class AdminTenant(msgspec.Struct):
    id: uuid.UUID
    slug: str
    display_name: str
    status: str
    schema_name: str
    created_at: dt.datetime
    host: str | None = None
    status_reason: str | None = None
    delete_after: dt.datetime | None = None


class AdminTenantPage(msgspec.Struct):
    items: list[AdminTenant]
    next_cursor: str | None


class SuspendRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class RestoredTenant(msgspec.Struct):
    id: uuid.UUID
    slug: str
    name: str
    url: str


class DeletionScheduled(msgspec.Struct):
    id: uuid.UUID
    status: str
    delete_after: dt.datetime
