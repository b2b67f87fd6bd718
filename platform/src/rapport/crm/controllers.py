"""CRM API: ``/api/v1/companies`` and ``/api/v1/contacts`` (one shape for every object) and global search."""

import datetime as dt
import decimal
import json
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from rapport_tenants.context import TenantContext

from rapport.crm import services
from rapport.crm.bulk import Matching, run_bulk
from rapport.crm.listing import ListRequest, list_page
from rapport.crm.objects import LINKABLE, LISTS, ListSpec
from rapport.crm.pipelines import create_pipeline, delete_pipeline, list_pipelines, update_pipeline
from rapport.crm.search import search_all
from rapport.crm.timeline import timeline
from rapport.crm.views import apply_view
from rapport.identity import records
from rapport.identity.access import Access, requires_permission
from rapport.identity.audit import Actor
from rapport.identity.guards import requires_role
from rapport.identity.principal import Principal
from rapport.identity.tables import Role
from rapport.kernel.clients import client_ip
from rapport.kernel.errors import FieldError, ValidationFailed

__all__ = [
    "ActivityController",
    "CompanyController",
    "ContactController",
    "DealController",
    "LeadController",
    "NoteController",
    "PipelineController",
    "SearchController",
]

ADMINS = requires_role(Role.OWNER, Role.ADMIN)

Text100 = Annotated[str, msgspec.Meta(max_length=100)]
Entries = Annotated[list[Any], msgspec.Meta(max_length=20)]
UNSET: Any = msgspec.UNSET


class CompanyIn(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType = UNSET
    domain: Annotated[str, msgspec.Meta(max_length=253)] | msgspec.UnsetType | None = UNSET
    industry: Text100 | msgspec.UnsetType | None = UNSET
    parent: int | msgspec.UnsetType | None = UNSET
    custom: dict[str, Any] | msgspec.UnsetType = UNSET
    owner_id: uuid.UUID | msgspec.UnsetType = UNSET


class ContactIn(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    first_name: Text100 | msgspec.UnsetType = UNSET
    last_name: Text100 | msgspec.UnsetType = UNSET
    emails: Entries | msgspec.UnsetType = UNSET
    phones: Entries | msgspec.UnsetType = UNSET
    title: Annotated[str, msgspec.Meta(max_length=150)] | msgspec.UnsetType | None = UNSET
    company: int | msgspec.UnsetType | None = UNSET
    custom: dict[str, Any] | msgspec.UnsetType = UNSET
    owner_id: uuid.UUID | msgspec.UnsetType = UNSET


class DealIn(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType = UNSET
    pipeline: int | msgspec.UnsetType = UNSET
    stage: int | msgspec.UnsetType = UNSET
    amount: decimal.Decimal | msgspec.UnsetType = UNSET
    currency: Annotated[str, msgspec.Meta(min_length=3, max_length=3)] | msgspec.UnsetType = UNSET
    expected_close: dt.date | msgspec.UnsetType | None = UNSET
    probability: Annotated[int, msgspec.Meta(ge=0, le=100)] | msgspec.UnsetType = UNSET
    company: int | msgspec.UnsetType | None = UNSET
    contact: int | msgspec.UnsetType | None = UNSET
    custom: dict[str, Any] | msgspec.UnsetType = UNSET
    owner_id: uuid.UUID | msgspec.UnsetType = UNSET


class ActivityIn(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    kind: Annotated[str, msgspec.Meta(max_length=10)] | msgspec.UnsetType = UNSET
    subject: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType = UNSET
    details: Annotated[str, msgspec.Meta(max_length=20_000)] | msgspec.UnsetType = UNSET
    due_at: dt.datetime | msgspec.UnsetType | None = UNSET
    reminder_at: dt.datetime | msgspec.UnsetType | None = UNSET
    done: bool | msgspec.UnsetType = UNSET
    record_type: Annotated[str, msgspec.Meta(max_length=30)] | msgspec.UnsetType | None = UNSET
    record_id: int | msgspec.UnsetType | None = UNSET
    owner_id: uuid.UUID | msgspec.UnsetType = UNSET


class NoteIn(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    body: Annotated[str, msgspec.Meta(max_length=200_000)] | msgspec.UnsetType = UNSET
    record_type: Annotated[str, msgspec.Meta(max_length=30)] | msgspec.UnsetType = UNSET
    record_id: int | msgspec.UnsetType = UNSET
    owner_id: uuid.UUID | msgspec.UnsetType = UNSET


class MatchingIn(msgspec.Struct, forbid_unknown_fields=True):
    """Every record the list with this filter and search returns (all its pages, in your row scope)."""

    filter: dict[str, Any] = msgspec.field(default_factory=dict)
    """The list's filter tree (as ``filter=`` of the list, as an object); ``{}``: every record."""
    q: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    deleted_at: dt.datetime | None = None
    """``restore`` only: the records a bulk delete removed (its answer's ``deleted_at``)."""


class BulkIn(msgspec.Struct, forbid_unknown_fields=True):
    action: Annotated[str, msgspec.Meta(max_length=20)]
    ids: Annotated[list[int], msgspec.Meta(min_length=1, max_length=1000)] | None = None
    """Up to 1,000 records; or leave them out and give ``matching``."""
    matching: MatchingIn | None = None
    """Every record matching the list's filter and search, up to 100,000 (more is refused, 422)."""
    owner_id: str | None = None
    field: Annotated[str, msgspec.Meta(max_length=60)] | None = None
    value: Any = None
    tags: Annotated[list[str], msgspec.Meta(max_length=20)] | None = None


class TimelineItem(msgspec.Struct):
    type: str
    """``activity``, ``note``, ``deal`` or ``change`` (a field change from the audit log)."""
    id: int
    at: dt.datetime
    data: dict[str, Any]


class TimelineOut(msgspec.Struct):
    items: list[TimelineItem]
    next_cursor: str | None


class LeadIn(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    first_name: Text100 | msgspec.UnsetType = UNSET
    last_name: Text100 | msgspec.UnsetType = UNSET
    email: Annotated[str, msgspec.Meta(max_length=320)] | msgspec.UnsetType | None = UNSET
    phone: Annotated[str, msgspec.Meta(max_length=40)] | msgspec.UnsetType | None = UNSET
    company_name: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType | None = UNSET
    title: Annotated[str, msgspec.Meta(max_length=150)] | msgspec.UnsetType | None = UNSET
    source: Annotated[str, msgspec.Meta(min_length=1, max_length=50)] | msgspec.UnsetType = UNSET
    status: Annotated[str, msgspec.Meta(max_length=15)] | msgspec.UnsetType = UNSET
    custom: dict[str, Any] | msgspec.UnsetType = UNSET
    owner_id: uuid.UUID | msgspec.UnsetType = UNSET


class StageIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    id: int | None = None
    probability: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    kind: str = "open"


class PipelineIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    stages: Annotated[list[StageIn], msgspec.Meta(min_length=1, max_length=30)]


class PipelineUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    stages: Annotated[list[StageIn], msgspec.Meta(min_length=1, max_length=30)] | None = None


class StageOut(msgspec.Struct):
    id: int
    name: str
    position: int
    probability: int
    kind: str


class PipelineOut(msgspec.Struct):
    id: int
    name: str
    position: int
    created_at: dt.datetime
    stages: list[StageOut]


class PageOut(msgspec.Struct):
    items: list[dict[str, Any]]
    next_cursor: str | None
    estimated_total: int | None


def _sent(data: msgspec.Struct) -> dict[str, Any]:
    return {name: value for name, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}


def _list_request(
    access: NamedDependency[Access],
    filter: Annotated[str | None, QueryParameter(max_length=8000, description="JSON filter tree")] = None,  # noqa: A002
    sort: Annotated[str, QueryParameter(max_length=60, description="field or -field")] = "id",
    cursor: Annotated[str | None, QueryParameter(max_length=500)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    fields: Annotated[str | None, QueryParameter(max_length=500, description="comma-separated")] = None,
    q: Annotated[str | None, QueryParameter(max_length=200)] = None,
) -> ListRequest:
    del access  # only to be resolved after it, in sequence (see ``provide_principal``)
    try:
        tree = json.loads(filter) if filter else {}
    except ValueError:
        raise ValidationFailed(
            "The filter is not valid.", errors=[FieldError("filter", "not JSON")]
        ) from None
    if not isinstance(tree, dict):
        raise ValidationFailed("The filter is not valid.", errors=[FieldError("filter", "a JSON object")])
    chosen = tuple(name.strip() for name in fields.split(",") if name.strip()) if fields else ()
    return ListRequest(filter=tree, sort=sort, cursor=cursor, limit=limit, fields=chosen, q=q or None)


def _controller(spec: ListSpec, path: str, body: type[msgspec.Struct]) -> type[Controller]:
    kind = spec.kind
    name = kind.name

    class RecordController(Controller):
        tags = ["crm"]
        dependencies = {
            "listing": Provide(_list_request, sync_to_thread=False),
        }

        @get("/", guards=[requires_permission(name, "read")], summary=f"List {path} (filters, sort, keyset)")
        async def list_records(
            self,
            tenant: NamedDependency[TenantContext],
            principal: NamedDependency[Principal],
            access: NamedDependency[Access],
            listing: NamedDependency[ListRequest],
            view: Annotated[int | None, QueryParameter(description="a saved view's id")] = None,
        ) -> PageOut:
            if view is not None:
                listing = await apply_view(tenant, principal, name, view, listing)
            page = await list_page(tenant, access, spec, listing)
            return PageOut(page.items, page.next_cursor, page.estimated_total)

        @post(
            "/bulk",
            status_code=HTTP_200_OK,
            guards=[requires_permission(name, "read")],
            summary=f"Bulk action on {path} (up to 1,000 ids, or every match of a filter up to 100,000): "
            "assign, update, delete, restore, tag, untag",
        )
        async def bulk(
            self,
            request: Request[Any, Any, Any],
            tenant: NamedDependency[TenantContext],
            principal: NamedDependency[Principal],
            access: NamedDependency[Access],
            data: JSONBody[BulkIn],
        ) -> dict[str, Any]:
            actor = Actor.of(principal, client_ip(request))
            payload = {"owner_id": data.owner_id, "field": data.field, "value": data.value, "tags": data.tags}
            matching = (
                None
                if data.matching is None
                else Matching(data.matching.filter, data.matching.q or None, data.matching.deleted_at)
            )
            return await run_bulk(tenant, access, actor, kind, data.ids, data.action, payload, matching)

        @get("/{record_id:int}", guards=[requires_permission(name, "read")], summary=f"One {kind.label}")
        async def one(
            self,
            tenant: NamedDependency[TenantContext],
            access: NamedDependency[Access],
            record_id: FromPath[int],
        ) -> dict[str, Any]:
            return await records.get_record(tenant, access, kind, record_id)

        @post(
            "/",
            status_code=HTTP_201_CREATED,
            guards=[requires_permission(name, "create")],
            summary=f"Create a {kind.label}",
        )
        async def create(
            self,
            request: Request[Any, Any, Any],
            tenant: NamedDependency[TenantContext],
            principal: NamedDependency[Principal],
            access: NamedDependency[Access],
            data: JSONBody[body],  # type: ignore[valid-type]
        ) -> dict[str, Any]:
            actor = Actor.of(principal, client_ip(request))
            return await services.create(tenant, access, actor, kind, _sent(data))

        @patch(
            "/{record_id:int}", guards=[requires_permission(name, "update")], summary=f"Change a {kind.label}"
        )
        async def update(
            self,
            request: Request[Any, Any, Any],
            tenant: NamedDependency[TenantContext],
            principal: NamedDependency[Principal],
            access: NamedDependency[Access],
            record_id: FromPath[int],
            data: JSONBody[body],  # type: ignore[valid-type]
        ) -> dict[str, Any]:
            actor = Actor.of(principal, client_ip(request))
            return await services.update(tenant, access, actor, kind, record_id, _sent(data))

        @delete(
            "/{record_id:int}", status_code=HTTP_204_NO_CONTENT, guards=[requires_permission(name, "delete")],
            summary=f"Delete a {kind.label} (restorable)",
        )  # fmt: skip
        async def remove(
            self,
            request: Request[Any, Any, Any],
            tenant: NamedDependency[TenantContext],
            principal: NamedDependency[Principal],
            access: NamedDependency[Access],
            record_id: FromPath[int],
        ) -> None:
            await records.delete_record(
                tenant, access, Actor.of(principal, client_ip(request)), kind, record_id
            )

        @post(
            "/{record_id:int}/restore", status_code=HTTP_200_OK, guards=[requires_permission(name, "delete")],
            summary=f"Restore a deleted {kind.label}",
        )  # fmt: skip
        async def restore(
            self,
            request: Request[Any, Any, Any],
            tenant: NamedDependency[TenantContext],
            principal: NamedDependency[Principal],
            access: NamedDependency[Access],
            record_id: FromPath[int],
        ) -> dict[str, Any]:
            actor = Actor.of(principal, client_ip(request))
            return await records.restore_record(tenant, access, actor, kind, record_id)

    controller: type[Controller] = RecordController
    if name in LINKABLE:

        class WithTimeline(RecordController):
            @get(
                "/{record_id:int}/timeline",
                guards=[requires_permission(name, "read")],
                summary=f"A {kind.label}'s timeline, newest first: activities, notes, changes, deals",
            )
            async def timeline_page(
                self,
                tenant: NamedDependency[TenantContext],
                access: NamedDependency[Access],
                record_id: FromPath[int],
                cursor: Annotated[str | None, QueryParameter(max_length=300)] = None,
                limit: Annotated[int, QueryParameter(ge=1, le=100)] = 30,
            ) -> TimelineOut:
                page = await timeline(tenant, access, kind, record_id, cursor, limit)
                return TimelineOut([TimelineItem(**item) for item in page.items], page.next_cursor)

        controller = WithTimeline
    controller.path = f"/api/v1/{path}"  # type: ignore[misc]
    controller.__name__ = controller.__qualname__ = f"{kind.label.title()}Controller"
    return controller


CompanyController = _controller(LISTS["company"], "companies", CompanyIn)
ContactController = _controller(LISTS["contact"], "contacts", ContactIn)
DealController = _controller(LISTS["deal"], "deals", DealIn)
ActivityController = _controller(LISTS["activity"], "activities", ActivityIn)
NoteController = _controller(LISTS["note"], "notes", NoteIn)
LeadController = _controller(LISTS["lead"], "leads", LeadIn)


def _stages(stages: list[StageIn]) -> list[dict[str, Any]]:
    return [msgspec.structs.asdict(stage) for stage in stages]


class PipelineController(Controller):
    path = "/api/v1/pipelines"
    tags = ["crm"]

    @get("/", summary="Pipelines with their stages, in order (every member)")
    async def pipelines(self, tenant: NamedDependency[TenantContext]) -> list[PipelineOut]:
        return msgspec.convert(await list_pipelines(tenant), list[PipelineOut])

    @post("/", status_code=HTTP_201_CREATED, guards=[ADMINS], summary="Create a pipeline with its stages")
    async def create(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[PipelineIn],
    ) -> PipelineOut:
        actor = Actor.of(principal, client_ip(request))
        return msgspec.convert(
            await create_pipeline(tenant, actor, data.name, _stages(data.stages)), PipelineOut
        )

    @patch("/{pipeline_id:int}", guards=[ADMINS], summary="Rename, or replace the stages (ids keep a stage)")
    async def update(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        pipeline_id: FromPath[int],
        data: JSONBody[PipelineUpdate],
    ) -> PipelineOut:
        actor = Actor.of(principal, client_ip(request))
        stages = _stages(data.stages) if data.stages is not None else None
        return msgspec.convert(
            await update_pipeline(tenant, actor, pipeline_id, data.name, stages), PipelineOut
        )

    @delete(
        "/{pipeline_id:int}",
        status_code=HTTP_204_NO_CONTENT,
        guards=[ADMINS],
        summary="Delete an empty pipeline",
    )
    async def remove(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        pipeline_id: FromPath[int],
    ) -> None:
        await delete_pipeline(tenant, Actor.of(principal, client_ip(request)), pipeline_id)


class SearchHit(msgspec.Struct):
    type: str
    id: int
    title: str
    score: float


class SearchController(Controller):
    path = "/api/v1/search"
    tags = ["crm"]

    @get("/", summary="Search contacts and companies (typo-tolerant, ranked, only what you may see)")
    async def search(
        self,
        tenant: NamedDependency[TenantContext],
        access: NamedDependency[Access],
        q: Annotated[str, QueryParameter(min_length=1, max_length=200)],
        limit: FromQuery[Annotated[int, QueryParameter(ge=1, le=50)]] = 20,
    ) -> list[SearchHit]:
        return [SearchHit(**hit) for hit in await search_all(tenant, access, q, limit)]
