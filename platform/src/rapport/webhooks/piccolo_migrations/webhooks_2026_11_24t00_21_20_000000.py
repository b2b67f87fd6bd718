from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T00:21:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "webhooks: keyset index of an endpoint's deliveries, attempts by delivery"

DDL = """
CREATE INDEX webhook_deliveries_endpoint_id ON webhook_deliveries (endpoint, id);
CREATE INDEX webhook_attempts_delivery_number ON webhook_attempts (delivery, number);
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="webhooks", description=DESCRIPTION)

    async def indexes():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(indexes)
    return manager
