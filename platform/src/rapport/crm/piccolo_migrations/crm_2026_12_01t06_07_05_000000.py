from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T06:07:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "exports: a person's exports, newest first"

DDL = "CREATE INDEX exports_user_id ON exports (user_id, id DESC);"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def export_indexes():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(export_indexes)
    return manager
