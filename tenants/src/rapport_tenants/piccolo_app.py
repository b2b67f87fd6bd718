"""The ``tenants`` Piccolo app: control-plane tables and their migrations."""

import os

from piccolo.conf.apps import AppConfig

from rapport_tenants.tables import Domain, SchemaTemplate, Tenant, TenantMigration

APP_CONFIG = AppConfig(
    app_name="tenants",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Tenant, Domain, TenantMigration, SchemaTemplate],
    migration_dependencies=[],
    commands=[],
)
