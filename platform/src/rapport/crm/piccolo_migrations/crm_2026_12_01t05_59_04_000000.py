from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T05:59:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "custom fields: one key per type, GIN indexes for equality filters on custom values"

# Sortable custom fields get an expression index of their own when they are defined (crm.custom_fields).
DDL = """
CREATE UNIQUE INDEX custom_fields_type_key ON custom_fields (object_type, key);
CREATE INDEX companies_custom ON companies USING gin (custom jsonb_path_ops);
CREATE INDEX contacts_custom ON contacts USING gin (custom jsonb_path_ops);
CREATE INDEX deals_custom ON deals USING gin (custom jsonb_path_ops);
CREATE INDEX leads_custom ON leads USING gin (custom jsonb_path_ops);
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def custom_field_indexes():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(custom_field_indexes)
    return manager
