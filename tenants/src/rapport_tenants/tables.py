"""Control-plane tables (schema ``control``): tenants, their domains, schema versions and the template."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import JSONB, UUID, Boolean, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

__all__ = ["CONTROL_SCHEMA", "Domain", "SchemaTemplate", "Tenant", "TenantMigration", "TenantStatus"]

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
    status_reason = Varchar(length=500, null=True, default=None)
    """Why the tenant is suspended or being deleted, shown to its users."""
    delete_after = Timestamptz(null=True, default=None)
    """Set when the tenant is marked for deletion: the purge job drops it after this time."""


class Domain(Table, tablename="domains", schema=CONTROL_SCHEMA):
    """A host name that serves one tenant (``acme.rapport.example`` or a custom domain)."""

    id = UUID(primary_key=True)
    host = Varchar(length=253, unique=True, index=True)
    tenant_id = UUID(index=True)
    is_primary = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class TenantMigration(Table, tablename="tenant_migrations", schema=CONTROL_SCHEMA):
    """The newest migration applied to one tenant schema, per Piccolo app (the fan-out runner's ledger)."""

    id = UUID(primary_key=True)
    schema_name = Varchar(length=63, index=True)
    app_name = Varchar(length=100)
    migration_id = Varchar(length=100)
    applied_at = Timestamptz(default=TimestamptzNow())

    unique_schema_app = Unique([schema_name, app_name])


class SchemaTemplate(Table, tablename="schema_templates", schema=CONTROL_SCHEMA):
    """The tenant schema's DDL rendered from the migrated template schema; provisioning replays it."""

    id = UUID(primary_key=True)
    fingerprint = Varchar(length=64, unique=True)
    """SHA-256 of the DDL and the applied migrations: a new one is stored only when either changes."""
    ddl = Text()
    migrations = JSONB()
    """``[[app_name, migration_id], ...]`` as applied to the template, copied into each new schema."""
    created_at = Timestamptz(default=TimestamptzNow())
