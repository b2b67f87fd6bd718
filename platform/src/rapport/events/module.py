"""The ``events`` module's registration (entry point ``rapport.modules: events``)."""

from rapport.kernel.modules import Module

__all__ = ["module"]

module = Module(
    name="events",
    tenant_piccolo_apps=["rapport.events.piccolo_app"],
    actor_modules=["rapport.events.jobs"],
    depends_on=("tenancy",),
)
