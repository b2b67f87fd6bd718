from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T05:36:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "activities and notes: kind check, timeline, my-tasks, list keysets and subject search indexes"

DDL = """
ALTER TABLE activities ADD CONSTRAINT activities_kind
    CHECK (kind::text = ANY (ARRAY['call'::text, 'meeting'::text, 'email'::text, 'task'::text]));
CREATE INDEX activities_record_timeline ON activities (record_type, record_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX activities_owner_open ON activities (owner_id, done, due_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_due_id ON activities (due_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_due_sort ON activities ((coalesce(due_at, '9999-12-31 00:00:00+00'::timestamptz)), id)
    WHERE deleted_at IS NULL;
CREATE INDEX activities_done_due ON activities (done, due_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_created_id ON activities (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_updated_id ON activities (updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_kind_id ON activities (kind, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_reminder ON activities (reminder_at) WHERE reminder_at IS NOT NULL AND NOT done;
CREATE INDEX activities_subject_trgm ON activities USING gin (subject ext.gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX notes_record_timeline ON notes (record_type, record_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX notes_owner_id ON notes (owner_id, id) WHERE deleted_at IS NULL;
CREATE INDEX notes_created_id ON notes (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX notes_updated_id ON notes (updated_at, id) WHERE deleted_at IS NULL;
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def activity_indexes():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(activity_indexes)
    return manager
