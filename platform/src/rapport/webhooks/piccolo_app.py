"""The ``webhooks`` Piccolo app (every tenant schema)."""

import os

from piccolo.conf.apps import AppConfig

from rapport.webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint

APP_CONFIG = AppConfig(
    app_name="webhooks",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[WebhookEndpoint, WebhookDelivery, WebhookAttempt],
    migration_dependencies=[],
    commands=[],
)
