from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T00:14:56:000000"
VERSION = "1.38.0"
DESCRIPTION = "stages and deals: constraints and an index for every filter, sort and search of the deal list"

DDL = """
ALTER TABLE stages ADD CONSTRAINT stages_pipeline_name UNIQUE (pipeline, name);
ALTER TABLE stages ADD CONSTRAINT stages_kind CHECK (kind::text = ANY (ARRAY['open'::text, 'won'::text, 'lost'::text]));
ALTER TABLE stages ADD CONSTRAINT stages_probability CHECK (probability BETWEEN 0 AND 100);
CREATE INDEX stages_pipeline_position ON stages (pipeline, position);
ALTER TABLE deals ADD CONSTRAINT deals_probability CHECK (probability BETWEEN 0 AND 100);
CREATE INDEX deals_name_id ON deals (name, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_name_trgm ON deals USING gin (name ext.gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX deals_pipeline_stage ON deals (pipeline, stage, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_stage ON deals (stage);
CREATE INDEX deals_amount_id ON deals (amount, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_expected_close_id ON deals (expected_close, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_company ON deals (company);
CREATE INDEX deals_contact ON deals (contact);
CREATE INDEX deals_owner_id ON deals (owner_id, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_created_id ON deals (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_updated_id ON deals (updated_at, id) WHERE deleted_at IS NULL;
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="crm", description=DESCRIPTION)

    async def deal_indexes():
        transaction = engine_finder().current_transaction.get()
        await transaction.connection.execute(DDL)

    manager.add_raw(deal_indexes)
    return manager
