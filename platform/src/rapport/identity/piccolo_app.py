"""The ``identity`` Piccolo app: global users (control schema)."""

import os

from piccolo.conf.apps import AppConfig

from rapport.identity.tables import User

APP_CONFIG = AppConfig(
    app_name="identity",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[User],
    migration_dependencies=["rapport_tenants.piccolo_app"],
    commands=[],
)
