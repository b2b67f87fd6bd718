from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T14:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "contacts: the email trigram index again (email filters through the search index were misplanned)"

# Finding email candidates through the search index made the planner multiply two correlated ILIKE
# estimates: a common fragment ("%example%") took 170 ms instead of 0.5 ms at 100,000 contacts.
DDL = """
CREATE INDEX IF NOT EXISTS contacts_email_trgm ON contacts USING gin (email ext.gin_trgm_ops)
    WHERE deleted_at IS NULL;
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def email_trigram_index():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(email_trigram_index)
    return manager
