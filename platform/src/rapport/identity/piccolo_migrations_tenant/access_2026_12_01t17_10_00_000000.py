from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Varchar

ID = "2026-12-01T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "audit_events: drop the single-column indexes on action and actor_user_id "
    "(the (action, id) and (actor_user_id, id) indexes serve the same filters)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="access", description=DESCRIPTION)
    for column_name, column_class in (("action", Varchar), ("actor_user_id", UUID)):
        manager.alter_column(
            table_class_name="AuditEvent",
            tablename="audit_events",
            column_name=column_name,
            db_column_name=column_name,
            params={"index": False},
            old_params={"index": True},
            column_class=column_class,
            old_column_class=column_class,
            schema=None,
        )
    return manager
