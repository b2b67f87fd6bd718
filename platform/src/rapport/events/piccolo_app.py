"""The ``events`` Piccolo app: the outbox and consumer receipts (every tenant schema)."""

import os

from piccolo.conf.apps import AppConfig

from rapport.events.tables import EventReceipt, OutboxEvent

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[OutboxEvent, EventReceipt],
    migration_dependencies=[],
    commands=[],
)
