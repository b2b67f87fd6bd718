"""The ``crm`` module's registration (entry point ``rapport.modules: crm``)."""

from rapport.crm.controllers import (
    ActivityController,
    CompanyController,
    ContactController,
    DealController,
    LeadController,
    NoteController,
    PipelineController,
    SearchController,
)
from rapport.crm.demo import seed_crm
from rapport.crm.duplicate_controllers import DuplicateQueueController
from rapport.crm.import_controllers import ImportController
from rapport.crm.lead_controllers import (
    LeadCaptureController,
    LeadConversionController,
    LeadFormController,
    LeadRuleController,
)
from rapport.crm.leads import LEAD_ACTIVITY_CONSUMER
from rapport.crm.objects import ACTIVITY, COMPANY, CONTACT, DEAL, LEAD, NOTE
from rapport.crm.role_controllers import RoleController
from rapport.crm.view_controllers import (
    CustomFieldController,
    ExportController,
    MergeController,
    TagController,
    ViewController,
)
from rapport.kernel.modules import Module, Schedule

__all__ = ["module"]

module = Module(
    name="crm",
    route_handlers=[
        CompanyController,
        ContactController,
        DealController,
        ActivityController,
        NoteController,
        LeadController,
        LeadConversionController,
        LeadCaptureController,
        LeadFormController,
        LeadRuleController,
        ViewController,
        TagController,
        CustomFieldController,
        ExportController,
        ImportController,
        MergeController,
        DuplicateQueueController,
        RoleController,
        PipelineController,
        SearchController,
    ],
    tenant_piccolo_apps=["rapport.crm.piccolo_app"],
    object_types=[COMPANY, CONTACT, DEAL, ACTIVITY, NOTE, LEAD],
    event_consumers=[LEAD_ACTIVITY_CONSUMER],
    actor_modules=[
        "rapport.crm.export_jobs",
        "rapport.crm.export_expiry",
        "rapport.crm.import_jobs",
        "rapport.crm.duplicate_jobs",
    ],
    schedules=[
        Schedule(actor_name="crm.expire_exports", every_minutes=60),
        Schedule(actor_name="crm.scan_all_duplicates", every_minutes=24 * 60),
        Schedule(actor_name="crm.settle_stopped_imports", every_minutes=10),
    ],
    demo_seeders=[seed_crm],
    depends_on=("identity", "events", "tenancy"),
)
