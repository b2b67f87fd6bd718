"""The ``tenancy`` module's registration (entry point ``rapport.modules: tenancy``)."""

from rapport.kernel.modules import Module
from rapport.tenancy.demo import seed_demo_tenant

__all__ = ["module"]

module = Module(
    name="tenancy",
    piccolo_apps=["rapport_tenants.piccolo_app"],
    demo_seeders=[seed_demo_tenant],
)
