"""The ``crm`` module's registration (entry point ``rapport.modules: crm``)."""

from rapport.crm.controllers import (
    CompanyController,
    ContactController,
    DealController,
    PipelineController,
    SearchController,
)
from rapport.crm.demo import seed_crm
from rapport.crm.objects import COMPANY, CONTACT, DEAL
from rapport.kernel.modules import Module

__all__ = ["module"]

module = Module(
    name="crm",
    route_handlers=[
        CompanyController,
        ContactController,
        DealController,
        PipelineController,
        SearchController,
    ],
    tenant_piccolo_apps=["rapport.crm.piccolo_app"],
    object_types=[COMPANY, CONTACT, DEAL],
    demo_seeders=[seed_crm],
    depends_on=("identity", "events", "tenancy"),
)
