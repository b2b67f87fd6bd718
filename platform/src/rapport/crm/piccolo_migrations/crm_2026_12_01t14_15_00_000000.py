from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T14:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "contacts: names are found through the search trigram index; drop contacts_name_trgm"

# Name contains/starts_with also test the search expression (which holds the name), and similar names are
# found with word similarity (<%) on it, so the search index serves them; one trigram index fewer on every
# contacts insert.
DDL = """
DROP INDEX IF EXISTS contacts_name_trgm;
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def drop_name_trigram_index():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(drop_name_trigram_index)
    return manager
