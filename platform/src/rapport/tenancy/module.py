"""The ``tenancy`` module's registration (entry point ``rapport.modules: tenancy``)."""

from rapport.kernel.modules import Module, Schedule
from rapport.tenancy.archive_controllers import TenantArchiveController
from rapport.tenancy.controllers import SignupController, TenantAdminController, WorkspaceController
from rapport.tenancy.demo import seed_demo_tenant

__all__ = ["module"]

module = Module(
    name="tenancy",
    route_handlers=[SignupController, WorkspaceController, TenantAdminController, TenantArchiveController],
    piccolo_apps=["rapport_tenants.piccolo_app"],
    tenant_piccolo_apps=["rapport.tenancy.tenant_piccolo_app"],
    actor_modules=["rapport.tenancy.jobs"],
    schedules=[Schedule(actor_name="tenancy.purge_deleted", every_minutes=5)],
    demo_seeders=[seed_demo_tenant],
)
