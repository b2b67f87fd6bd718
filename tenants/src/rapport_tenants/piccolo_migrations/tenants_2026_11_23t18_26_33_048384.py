from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T18:26:33:048384"
VERSION = "1.38.0"
DESCRIPTION = "At most one primary domain per tenant"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="tenants", description=DESCRIPTION
    )

    async def one_primary_domain():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS domains_one_primary_per_tenant "
            "ON control.domains (tenant_id) WHERE is_primary"
        )

    manager.add_raw(one_primary_domain)

    return manager
