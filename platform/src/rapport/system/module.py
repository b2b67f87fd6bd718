"""The ``system`` module's registration (entry point ``rapport.modules: system``)."""

from rapport.kernel.modules import Module, Schedule
from rapport.system.controllers import SystemController

__all__ = ["module"]

module = Module(
    name="system",
    route_handlers=[SystemController],
    actor_modules=["rapport.system.jobs"],
    schedules=[Schedule(actor_name="system.heartbeat", every_minutes=1)],
)
