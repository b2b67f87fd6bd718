"""The ``identity`` Piccolo app: users, their tenants, sessions and API keys (control schema)."""

import os

from piccolo.conf.apps import AppConfig

from rapport.identity.tables import (
    ActionToken,
    ApiKey,
    RecoveryCode,
    Session,
    SsoDomain,
    SsoIdentity,
    SsoProvider,
    TotpCredential,
    User,
    UserTenant,
)

APP_CONFIG = AppConfig(
    app_name="identity",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        User,
        UserTenant,
        Session,
        ApiKey,
        TotpCredential,
        RecoveryCode,
        ActionToken,
        SsoProvider,
        SsoIdentity,
        SsoDomain,
    ],
    migration_dependencies=["rapport_tenants.piccolo_app"],
    commands=[],
)
