from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T19:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "imports: a partial index of the running ones (the stopped-import sweep probes every workspace)"

# Almost always empty: imports run for seconds to minutes. The sweep's probe asks each workspace for a
# running import; done, failed and cancelled ones pile up and are not read.
DDL = "CREATE INDEX IF NOT EXISTS imports_running ON imports (id) WHERE status = 'running';"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def running_imports_index():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(running_imports_index)
    return manager
