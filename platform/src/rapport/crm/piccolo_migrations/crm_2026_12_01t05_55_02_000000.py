from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T05:55:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "saved views and tags: lookups by person and type, unique tag names, one tagging per record"

DDL = """
CREATE INDEX saved_views_lookup ON saved_views (object_type, user_id, position, id);
CREATE INDEX saved_views_shared ON saved_views (object_type, position, id) WHERE shared;
CREATE UNIQUE INDEX tags_lower_name ON tags (lower(name));
CREATE UNIQUE INDEX taggings_record_tag ON taggings (record_type, record_id, tag);
CREATE INDEX taggings_tag_record ON taggings (tag, record_type, record_id);
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def view_and_tag_indexes():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(view_and_tag_indexes)
    return manager
