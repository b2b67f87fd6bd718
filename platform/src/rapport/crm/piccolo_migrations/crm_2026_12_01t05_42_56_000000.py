from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T05:42:56:000000"
VERSION = "1.38.0"
DESCRIPTION = "leads: status check, an index for every list filter and sort, trigram search, dedupe lookups"

DDL = """
ALTER TABLE leads ADD CONSTRAINT leads_status CHECK (status::text = ANY (ARRAY['new'::text,
    'contacted'::text, 'qualified'::text, 'unqualified'::text, 'converted'::text]));
CREATE INDEX leads_status_id ON leads (status, id) WHERE deleted_at IS NULL;
CREATE INDEX leads_source_id ON leads (source, id) WHERE deleted_at IS NULL;
CREATE INDEX leads_score_id ON leads (score, id) WHERE deleted_at IS NULL;
CREATE INDEX leads_owner_id ON leads (owner_id, id) WHERE deleted_at IS NULL;
CREATE INDEX leads_created_id ON leads (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX leads_updated_id ON leads (updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX leads_last_name_id ON leads (last_name, id) WHERE deleted_at IS NULL;
CREATE INDEX leads_email ON leads (email) WHERE deleted_at IS NULL;
CREATE INDEX leads_company_name_id ON leads ((coalesce(company_name, '')), id) WHERE deleted_at IS NULL;
CREATE INDEX leads_name_trgm ON leads USING gin ((first_name || ' ' || last_name) ext.gin_trgm_ops)
    WHERE deleted_at IS NULL;
CREATE INDEX leads_search_trgm ON leads USING gin (
    (first_name || ' ' || last_name || ' ' || coalesce(email, '') || ' ' || coalesce(company_name, ''))
    ext.gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX lead_assignment_rules_position ON lead_assignment_rules (position, id);
CREATE INDEX companies_lower_name ON companies (lower(name)) WHERE deleted_at IS NULL;
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def lead_indexes():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(lead_indexes)
    return manager
