"""The ``access`` Piccolo app: per-tenant memberships and the audit log (in every tenant schema)."""

import os

from piccolo.conf.apps import AppConfig

from rapport.identity.tables import AuditEvent, Membership

APP_CONFIG = AppConfig(
    app_name="access",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations_tenant"),
    table_classes=[Membership, AuditEvent],
    migration_dependencies=[],
    commands=[],
)
