"""The ``crm`` Piccolo app (every tenant schema)."""

import os

from piccolo.conf.apps import AppConfig

from rapport.crm.tables import (
    Activity,
    Company,
    Contact,
    ContactCompany,
    CustomField,
    Deal,
    DealContact,
    DuplicatePair,
    Export,
    Import,
    ImportFailure,
    Lead,
    LeadAssignmentRule,
    LeadForm,
    LeadScoringRule,
    Merge,
    Note,
    Pipeline,
    SavedView,
    Stage,
    Tag,
    Tagging,
)

APP_CONFIG = AppConfig(
    app_name="crm",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Company,
        Contact,
        Pipeline,
        Stage,
        Deal,
        DealContact,
        ContactCompany,
        DuplicatePair,
        Activity,
        Note,
        Lead,
        LeadForm,
        LeadAssignmentRule,
        LeadScoringRule,
        SavedView,
        Tag,
        Tagging,
        CustomField,
        Export,
        Import,
        ImportFailure,
        Merge,
    ],
    migration_dependencies=[],
    commands=[],
)
