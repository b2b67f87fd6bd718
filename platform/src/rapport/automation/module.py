"""The ``automation`` module's registration (entry point ``rapport.modules: automation``)."""

from rapport.automation.consumer import CONSUMER
from rapport.automation.controllers import AutomationController
from rapport.kernel.modules import Module, Schedule

__all__ = ["module"]

module = Module(
    name="automation",
    route_handlers=[AutomationController],
    piccolo_apps=["rapport.automation.piccolo_app_control"],
    tenant_piccolo_apps=["rapport.automation.piccolo_app"],
    actor_modules=["rapport.automation.jobs"],
    schedules=[Schedule(actor_name="automation.date_tick", every_minutes=1)],
    event_consumers=[CONSUMER],
    depends_on=("identity", "events"),
)
