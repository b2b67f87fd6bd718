from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T06:15:45:000000"
VERSION = "1.38.0"
DESCRIPTION = "merges: indexes for re-linking converted leads"

DDL = """
CREATE INDEX leads_converted_contact ON leads (converted_contact) WHERE converted_contact IS NOT NULL;
CREATE INDEX leads_converted_company ON leads (converted_company) WHERE converted_company IS NOT NULL;
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def merge_indexes():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(merge_indexes)
    return manager
