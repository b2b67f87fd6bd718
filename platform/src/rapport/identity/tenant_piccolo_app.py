"""The ``access`` Piccolo app: memberships, roles, teams and the audit log (every tenant schema)."""

import os

from piccolo.conf.apps import AppConfig

from rapport.identity.role_tables import CustomRole, Team, TeamMember
from rapport.identity.tables import AuditEvent, Membership

APP_CONFIG = AppConfig(
    app_name="access",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations_tenant"),
    table_classes=[Membership, AuditEvent, CustomRole, Team, TeamMember],
    migration_dependencies=[],
    commands=[],
)
