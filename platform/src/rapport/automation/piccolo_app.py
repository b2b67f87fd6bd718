"""The ``automation`` Piccolo app: rules and runs (every tenant schema)."""

import os

from piccolo.conf.apps import AppConfig

from rapport.automation.tables import AutomationRule, AutomationRun

APP_CONFIG = AppConfig(
    app_name="automation",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[AutomationRule, AutomationRun],
    migration_dependencies=[],
    commands=[],
)
