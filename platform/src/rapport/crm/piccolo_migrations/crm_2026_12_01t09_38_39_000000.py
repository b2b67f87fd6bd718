from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T09:38:39:000000"
VERSION = "1.38.0"
DESCRIPTION = "imports: status and option checks, failures by row"

DDL = """
ALTER TABLE imports ADD CONSTRAINT imports_status CHECK (status::text = ANY (ARRAY['uploaded'::text, 'queued'::text, 'running'::text, 'done'::text, 'failed'::text, 'cancelled'::text]));
ALTER TABLE imports ADD CONSTRAINT imports_on_match CHECK (on_match::text = ANY (ARRAY['skip'::text, 'update'::text, 'create'::text]));
CREATE INDEX imports_user_id ON imports (user_id, id);
CREATE INDEX import_failures_row ON import_failures (import_id, row_number, id);
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def import_checks():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(import_checks)
    return manager
