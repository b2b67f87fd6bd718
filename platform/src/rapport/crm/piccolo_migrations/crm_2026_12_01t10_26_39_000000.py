from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T10:26:39:000000"
VERSION = "1.38.0"
DESCRIPTION = "contact roles: one per deal and contact, one per contact and company; the deal roles"

DDL = """
ALTER TABLE deal_contacts ADD CONSTRAINT deal_contacts_role CHECK (role::text = ANY (ARRAY['decision_maker'::text, 'champion'::text, 'influencer'::text, 'economic_buyer'::text, 'technical_buyer'::text, 'end_user'::text, 'other'::text]));
CREATE UNIQUE INDEX deal_contacts_pair ON deal_contacts (deal, contact);
CREATE INDEX deal_contacts_contact ON deal_contacts (contact);
CREATE UNIQUE INDEX contact_companies_pair ON contact_companies (contact, company);
CREATE INDEX contact_companies_company ON contact_companies (company);
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def role_indexes():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(role_indexes)
    return manager
