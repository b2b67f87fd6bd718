"""Control-plane tables (schema ``control``): the tenant registry."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import UUID, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = ["CONTROL_SCHEMA", "Tenant", "TenantStatus"]

CONTROL_SCHEMA = "control"


class TenantStatus(StrEnum):
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETING = "deleting"


class Tenant(Table, tablename="tenants", schema=CONTROL_SCHEMA):
    """One customer organization; its data lives in the PostgreSQL schema ``schema_name``."""

    id = UUID(primary_key=True)
    slug = Varchar(length=63, unique=True, index=True)
    display_name = Varchar(length=200)
    status = Varchar(length=20, choices=TenantStatus, default=TenantStatus.PROVISIONING)
    schema_name = Varchar(length=63, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
