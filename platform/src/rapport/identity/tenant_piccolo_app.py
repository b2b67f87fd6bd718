"""The ``access`` Piccolo app: per-tenant memberships (in every tenant schema)."""

import os

from piccolo.conf.apps import AppConfig

from rapport.identity.tables import Membership

APP_CONFIG = AppConfig(
    app_name="access",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations_tenant"),
    table_classes=[Membership],
    migration_dependencies=[],
    commands=[],
)
