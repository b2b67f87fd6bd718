"""The ``workspace`` Piccolo app: tables of the tenancy module in every tenant schema."""

import os

from piccolo.conf.apps import AppConfig

from rapport.tenancy.tables import WorkspaceSettings

APP_CONFIG = AppConfig(
    app_name="workspace",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations_tenant"),
    table_classes=[WorkspaceSettings],
    migration_dependencies=[],
    commands=[],
)
