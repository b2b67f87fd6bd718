from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T10:18:28:000000"
VERSION = "1.38.0"
DESCRIPTION = "duplicate pairs: one per pair, the queue by score"

DDL = """
ALTER TABLE duplicate_pairs ADD CONSTRAINT duplicate_pairs_order CHECK (low < high);
CREATE UNIQUE INDEX duplicate_pairs_pair ON duplicate_pairs (object_type, low, high);
CREATE INDEX duplicate_pairs_queue ON duplicate_pairs (object_type, score, id) WHERE dismissed_at IS NULL;
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def duplicate_pair_indexes():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(duplicate_pair_indexes)
    return manager
