"""The ``crm`` module's registration (entry point ``rapport.modules: crm``)."""

from rapport.crm.controllers import (
    ActivityController,
    CompanyController,
    ContactController,
    DealController,
    NoteController,
    PipelineController,
    SearchController,
)
from rapport.crm.demo import seed_crm
from rapport.crm.objects import ACTIVITY, COMPANY, CONTACT, DEAL, NOTE
from rapport.kernel.modules import Module

__all__ = ["module"]

module = Module(
    name="crm",
    route_handlers=[
        CompanyController,
        ContactController,
        DealController,
        ActivityController,
        NoteController,
        PipelineController,
        SearchController,
    ],
    tenant_piccolo_apps=["rapport.crm.piccolo_app"],
    object_types=[COMPANY, CONTACT, DEAL, ACTIVITY, NOTE],
    demo_seeders=[seed_crm],
    depends_on=("identity", "events", "tenancy"),
)
