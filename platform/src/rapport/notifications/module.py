"""The ``notifications`` module's registration (entry point ``rapport.modules: notifications``)."""

from rapport.kernel.modules import Module, Schedule
from rapport.notifications.controllers import NotificationController

__all__ = ["module"]

module = Module(
    name="notifications",
    route_handlers=[NotificationController],
    tenant_piccolo_apps=["rapport.notifications.piccolo_app"],
    actor_modules=["rapport.notifications.jobs"],
    schedules=[
        Schedule(actor_name="notifications.remind", every_minutes=1),
        Schedule(actor_name="notifications.prune", every_minutes=24 * 60),
    ],
    depends_on=("identity", "events", "crm"),
)
