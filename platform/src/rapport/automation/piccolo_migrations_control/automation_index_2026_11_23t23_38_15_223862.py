from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.column_types import BigSerial
from piccolo.columns.column_types import UUID
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod
from piccolo.constraints import Unique

ID = "2026-11-23T23:38:15:223862"
VERSION = "1.38.0"
DESCRIPTION = "index of date-triggered rules"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="automation_index", description=DESCRIPTION)

    manager.add_table(
        class_name="DateRuleIndex",
        tablename="automation_date_rules",
        schema="control",
        columns=None,
    )

    manager.add_column(
        table_class_name="DateRuleIndex",
        tablename="automation_date_rules",
        column_name="id",
        db_column_name="id",
        column_class_name="BigSerial",
        column_class=BigSerial,
        params={
            "null": False,
            "primary_key": True,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema="control",
    )

    manager.add_column(
        table_class_name="DateRuleIndex",
        tablename="automation_date_rules",
        column_name="tenant_id",
        db_column_name="tenant_id",
        column_class_name="UUID",
        column_class=UUID,
        params={
            "default": UUID4(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema="control",
    )

    manager.add_column(
        table_class_name="DateRuleIndex",
        tablename="automation_date_rules",
        column_name="rule_id",
        db_column_name="rule_id",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema="control",
    )

    manager.add_constraint(
        table_class_name="DateRuleIndex",
        tablename="automation_date_rules",
        constraint_name="unique_tenant_rule",
        constraint_class=Unique,
        params={"columns": ["tenant_id", "rule_id"], "nulls_distinct": True},
        schema="control",
    )

    return manager
