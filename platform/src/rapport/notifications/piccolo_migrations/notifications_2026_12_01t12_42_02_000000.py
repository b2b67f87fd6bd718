from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T12:42:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications: kind check, a member's list and unread keyset indexes"

DDL = """
ALTER TABLE notifications ADD CONSTRAINT notifications_kind CHECK (kind::text = ANY (ARRAY['reminder'::text]));
CREATE INDEX notifications_user_id ON notifications (user_id, id DESC);
CREATE INDEX notifications_user_unread ON notifications (user_id, id DESC) WHERE read_at IS NULL;
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)

    async def indexes():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(indexes)
    return manager
