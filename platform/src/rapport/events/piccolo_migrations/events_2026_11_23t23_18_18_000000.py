from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T23:18:18:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox_events: a partial index on the unpublished events (what the relay reads)"

# Unqualified names: this runs with search_path set to the tenant (or template) schema.
DDL = "CREATE INDEX outbox_events_unpublished ON outbox_events (id) WHERE published_at IS NULL"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def unpublished_index():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(unpublished_index)
    return manager
