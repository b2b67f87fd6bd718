from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T23:38:15:000000"
VERSION = "1.38.0"
DESCRIPTION = "automation_runs: keyset index for a rule's run log"

DDL = "CREATE INDEX automation_runs_rule_id_id ON automation_runs (rule_id, id)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="automation", description=DESCRIPTION)

    async def runs_index():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(runs_index)
    return manager
