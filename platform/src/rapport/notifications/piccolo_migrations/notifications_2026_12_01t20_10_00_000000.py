from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T20:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications: a partial index on read_at (read ones are pruned after 90 days)"

DDL = "CREATE INDEX IF NOT EXISTS notifications_read_at ON notifications (read_at) WHERE read_at IS NOT NULL;"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)

    async def read_at_index():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(read_at_index)
    return manager
