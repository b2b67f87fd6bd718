"""The ``webhooks`` module's registration (entry point ``rapport.modules: webhooks``)."""

from rapport.kernel.modules import Module
from rapport.webhooks.controllers import WebhookController
from rapport.webhooks.fanout import CONSUMER

__all__ = ["module"]

module = Module(
    name="webhooks",
    route_handlers=[WebhookController],
    tenant_piccolo_apps=["rapport.webhooks.piccolo_app"],
    actor_modules=["rapport.webhooks.jobs"],
    event_consumers=[CONSUMER],
    depends_on=("identity", "events"),
)
