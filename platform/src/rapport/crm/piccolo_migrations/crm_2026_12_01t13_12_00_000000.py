from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T13:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "contacts: email contains/starts_with use the search trigram index; drop contacts_email_trgm"

# The email trigram index cost about a third of a bulk insert's time (emails have many distinct
# trigrams). The search expression holds the email, and its trigram index now finds email candidates.
DDL = """
DROP INDEX IF EXISTS contacts_email_trgm;
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def drop_email_trigram_index():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(drop_email_trigram_index)
    return manager
