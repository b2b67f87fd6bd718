from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T23:53:15:000000"
VERSION = "1.38.0"
DESCRIPTION = "companies, contacts: an index for every filter, sort and search the lists offer"

# Partial on live rows: every list and search reads only those. Trigram opclasses live in the `ext` schema.
DDL = """
CREATE INDEX companies_name_id ON companies (name, id) WHERE deleted_at IS NULL;
CREATE INDEX companies_name_trgm ON companies USING gin (name ext.gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX companies_domain ON companies (domain) WHERE deleted_at IS NULL;
CREATE INDEX companies_industry ON companies (industry) WHERE deleted_at IS NULL;
CREATE INDEX companies_parent ON companies (parent);
CREATE INDEX companies_owner_id ON companies (owner_id, id) WHERE deleted_at IS NULL;
CREATE INDEX companies_created_id ON companies (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX companies_updated_id ON companies (updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_last_name_id ON contacts (last_name, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_name_trgm ON contacts USING gin ((first_name || ' ' || last_name) ext.gin_trgm_ops)
    WHERE deleted_at IS NULL;
CREATE INDEX contacts_search_trgm ON contacts
    USING gin ((first_name || ' ' || last_name || ' ' || coalesce(email, '')) ext.gin_trgm_ops)
    WHERE deleted_at IS NULL;
CREATE INDEX contacts_email ON contacts (email) WHERE deleted_at IS NULL;
CREATE INDEX contacts_email_trgm ON contacts USING gin (email ext.gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX contacts_company ON contacts (company);
CREATE INDEX contacts_owner_id ON contacts (owner_id, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_created_id ON contacts (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_updated_id ON contacts (updated_at, id) WHERE deleted_at IS NULL;
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def list_indexes():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(list_indexes)
    return manager
