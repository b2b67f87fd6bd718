"""The ``automation_index`` Piccolo app: the control-plane index of date-triggered rules."""

import os

from piccolo.conf.apps import AppConfig

from rapport.automation.tables import DateRuleIndex

APP_CONFIG = AppConfig(
    app_name="automation_index",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations_control"),
    table_classes=[DateRuleIndex],
    migration_dependencies=[],
    commands=[],
)
