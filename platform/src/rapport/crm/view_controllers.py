"""``/api/v1/views`` (saved list views) and ``/api/v1/tags`` (the workspace's tags)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm import custom_fields, exports, merging, views
from rapport.crm.listing import ListRequest, escape_like
from rapport.crm.tables import Tag
from rapport.identity import audit
from rapport.identity.access import Access
from rapport.identity.audit import Actor
from rapport.identity.guards import requires_role
from rapport.identity.principal import Principal
from rapport.identity.tables import Role
from rapport.kernel.clients import client_ip
from rapport.kernel.errors import ConflictError, NotFoundError
from rapport.kernel.files import file_store
from rapport.kernel.settings import Settings

__all__ = [
    "CustomFieldController", "ExportController", "MergeController", "TagController", "ViewController",
]  # fmt: skip

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class ViewIn(msgspec.Struct, forbid_unknown_fields=True):
    object_type: Annotated[str, msgspec.Meta(max_length=30)]
    name: Name
    shared: bool = False
    filter: dict[str, Any] = msgspec.field(default_factory=dict)
    sort: Annotated[str, msgspec.Meta(max_length=60)] = "id"
    columns: Annotated[list[str], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)
    group_by: Annotated[str, msgspec.Meta(max_length=30)] | None = None
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0


class ViewChange(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    shared: bool | msgspec.UnsetType = msgspec.UNSET
    filter: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    sort: Annotated[str, msgspec.Meta(max_length=60)] | msgspec.UnsetType = msgspec.UNSET
    columns: Annotated[list[str], msgspec.Meta(max_length=50)] | msgspec.UnsetType = msgspec.UNSET
    group_by: Annotated[str, msgspec.Meta(max_length=30)] | msgspec.UnsetType | None = msgspec.UNSET
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | msgspec.UnsetType = msgspec.UNSET


class ViewController(Controller):
    path = "/api/v1/views"
    tags = ["crm"]

    @get("/", summary="Your views and the shared ones for an object type, in order")
    async def list(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        object_type: Annotated[str, QueryParameter(max_length=30)],
    ) -> list[dict[str, Any]]:
        return await views.list_views(tenant, principal, object_type)

    @post("/", status_code=HTTP_201_CREATED, summary="Save a view (checked like the list request it makes)")
    async def create(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        access: NamedDependency[Access],
        data: JSONBody[ViewIn],
    ) -> dict[str, Any]:
        return await views.save_view(tenant, access, principal, msgspec.structs.asdict(data))

    @patch("/{view_id:int}", summary="Change a view (yours, or a shared one as owner or admin)")
    async def change(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        access: NamedDependency[Access],
        view_id: FromPath[int],
        data: JSONBody[ViewChange],
    ) -> dict[str, Any]:
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        return await views.update_view(tenant, access, principal, view_id, changes)

    @delete("/{view_id:int}", status_code=HTTP_204_NO_CONTENT, summary="Delete a view")
    async def remove(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        view_id: FromPath[int],
    ) -> None:
        await views.delete_view(tenant, principal, view_id)


class TagIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    color: Annotated[str, msgspec.Meta(pattern=r"^#[0-9a-fA-F]{6}$")] = "#868e96"


class TagController(Controller):
    """Tags are shared by the workspace; tag records with ``POST /api/v1/<type>/bulk`` (``tag``/``untag``)."""

    path = "/api/v1/tags"
    tags = ["crm"]

    @get("/", summary="Tags, by name (``q``: names starting with it)")
    async def list(
        self,
        tenant: NamedDependency[TenantContext],
        q: Annotated[str | None, QueryParameter(max_length=50)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[dict[str, Any]]:
        async with tenant_transaction(tenant) as transaction:
            rows = await transaction.connection.fetch(
                "SELECT id, name, color FROM tags WHERE $1::text IS NULL OR lower(name) LIKE $1 "
                "ORDER BY lower(name) LIMIT $2",
                (escape_like(q.lower()) + "%") if q else None,
                limit,
            )
        return [dict(row) for row in rows]

    @post("/", status_code=HTTP_201_CREATED, summary="Create a tag")
    async def create(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[TagIn],
    ) -> dict[str, Any]:
        async with tenant_transaction(tenant) as transaction:
            row = await transaction.connection.fetchrow(
                "INSERT INTO tags (name, color, created_at) VALUES ($1, $2, now()) "
                "ON CONFLICT (lower(name)) DO NOTHING RETURNING id, name, color",
                data.name.strip(),
                data.color.lower(),
            )
            if row is None:
                raise ConflictError(f"The tag {data.name!r} exists already.")
            actor = Actor.of(principal, client_ip(request))
            await audit.record(actor, "tag.created", "tag", row["id"], {"name": (None, row["name"])})
        return dict(row)

    @delete(
        "/{tag_id:int}",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires_role(Role.OWNER, Role.ADMIN)],
        summary="Delete a tag (from every record)",
    )
    async def remove(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        tag_id: FromPath[int],
    ) -> None:
        async with tenant_transaction(tenant):
            deleted = await Tag.delete().where(Tag.id == tag_id).returning(Tag.name)
            if not deleted:
                raise NotFoundError(f"No tag {tag_id}.")
            actor = Actor.of(principal, client_ip(request))
            await audit.record(actor, "tag.deleted", "tag", tag_id, {"name": (deleted[0]["name"], None)})


class CustomFieldIn(msgspec.Struct, forbid_unknown_fields=True):
    object_type: Annotated[str, msgspec.Meta(max_length=30)]
    key: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    label: Name
    type: Annotated[str, msgspec.Meta(max_length=20)]
    required: bool = False
    unique: bool = False
    default: Any = None
    options: Annotated[list[Any], msgspec.Meta(max_length=200)] = msgspec.field(default_factory=list)
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0


class CustomFieldController(Controller):
    """Custom fields of companies, contacts, deals and leads (values go in each record's ``custom``)."""

    path = "/api/v1/custom-fields"
    tags = ["crm"]

    @get("/", summary="The custom fields of an object type, in order")
    async def list(
        self,
        tenant: NamedDependency[TenantContext],
        object_type: Annotated[str, QueryParameter(max_length=30)],
    ) -> list[dict[str, Any]]:
        return await custom_fields.list_fields(tenant, object_type)

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[requires_role(Role.OWNER, Role.ADMIN)],
        summary="Define a custom field (indexed for filters and sorts at once)",
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[CustomFieldIn],
    ) -> dict[str, Any]:
        actor = Actor.of(principal, client_ip(request))
        return await custom_fields.create_field(tenant, actor, msgspec.structs.asdict(data))

    @delete(
        "/{field_id:int}",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires_role(Role.OWNER, Role.ADMIN)],
        summary="Delete a custom field and every record's value of it",
    )
    async def remove(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        field_id: FromPath[int],
    ) -> None:
        await custom_fields.delete_field(tenant, Actor.of(principal, client_ip(request)), field_id)


class ExportIn(msgspec.Struct, forbid_unknown_fields=True):
    object_type: Annotated[str, msgspec.Meta(max_length=30)]
    format: Annotated[str, msgspec.Meta(max_length=4)] = "csv"
    filter: dict[str, Any] = msgspec.field(default_factory=dict)
    sort: Annotated[str, msgspec.Meta(max_length=60)] = "id"
    fields: Annotated[list[str], msgspec.Meta(max_length=60)] = msgspec.field(default_factory=list)
    q: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    view: int | None = None


class ExportController(Controller):
    """Export a list (or a saved view) to CSV/XLSX; a job writes it; download it when it is done."""

    path = "/api/v1/exports"
    tags = ["crm"]

    @post("/", status_code=HTTP_202_ACCEPTED, summary="Start an export (needs the export permission)")
    async def start(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        access: NamedDependency[Access],
        data: JSONBody[ExportIn],
    ) -> dict[str, Any]:
        request = ListRequest(
            filter=data.filter, sort=data.sort, cursor=None, limit=1, fields=tuple(data.fields), q=data.q
        )
        if data.view is not None:
            request = await views.apply_view(tenant, principal, data.object_type, data.view, request)
        started = await exports.start_export(
            tenant, access, principal, data.object_type, data.format, request
        )
        started.pop("file_key", None)
        return started

    @get("/", summary="Your latest exports")
    async def list(
        self, tenant: NamedDependency[TenantContext], principal: NamedDependency[Principal]
    ) -> list[dict[str, Any]]:
        return await exports.list_exports(tenant, principal)

    @get("/{export_id:int}", summary="An export's state and progress (rows written)")
    async def one(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        export_id: FromPath[int],
    ) -> dict[str, Any]:
        found = await exports.export_of(tenant, principal, export_id)
        found.pop("file_key", None)
        return found

    @get(
        "/{export_id:int}/download",
        summary="The exported file (to the person who asked)",
        description="The file itself, or (file store on S3) a redirect to a download link valid for minutes.",
        media_type="application/octet-stream",
        response_description="The file (local file store)",
        responses={
            302: ResponseSpec(None, description="Download from the `Location` (a short-lived link)"),
        },
    )
    async def download(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        export_id: FromPath[int],
    ) -> Response[bytes]:
        found = await exports.export_of(tenant, principal, export_id)
        if found["status"] == "expired":
            raise ConflictError(f"Export {export_id} has expired; start a new one.")
        if found["status"] != "done":
            raise ConflictError(f"Export {export_id} is {found['status']}, not done yet.")
        settings: Settings = request.app.state.settings
        media = (
            "text/csv" if found["format"] == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )  # fmt: skip
        filename = f"{found['object_type']}-export-{export_id}.{found['format']}"
        try:
            return file_store(settings).download(found["file_key"], filename, media)
        except FileNotFoundError:
            raise NotFoundError(f"The file of export {export_id} is gone.") from None


class MergeIn(msgspec.Struct, forbid_unknown_fields=True):
    object_type: Annotated[str, msgspec.Meta(max_length=30)]
    survivor_id: int
    merged_id: int
    take: Annotated[list[str], msgspec.Meta(max_length=20)] = msgspec.field(default_factory=list)
    """Fields whose value comes from the merged record (the survivor keeps the others)."""


class MergeController(Controller):
    """Likely duplicates of a contact or company, merging two of them, and undoing a merge for a day."""

    path = "/api/v1"
    tags = ["crm"]

    @get("/duplicates/{object_type:str}/{record_id:int}", summary="Likely duplicates of a record, best first")
    async def duplicates(
        self,
        tenant: NamedDependency[TenantContext],
        access: NamedDependency[Access],
        object_type: FromPath[str],
        record_id: FromPath[int],
    ) -> list[dict[str, Any]]:
        kind = merging.MERGEABLE.get(object_type)
        if kind is None:
            raise NotFoundError("Duplicates are found for contacts and companies.")
        access.require(kind, "read")
        return await merging.duplicates_of(tenant, access, kind, record_id)

    @post("/merges", status_code=HTTP_201_CREATED, summary="Merge two records (survivorship per field)")
    async def merge(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        access: NamedDependency[Access],
        data: JSONBody[MergeIn],
    ) -> dict[str, Any]:
        kind = merging.MERGEABLE.get(data.object_type)
        if kind is None:
            raise NotFoundError("Contacts and companies can be merged.")
        actor = Actor.of(principal, client_ip(request))
        return await merging.merge(tenant, access, actor, kind, data.survivor_id, data.merged_id, data.take)

    @post("/merges/{merge_id:int}/undo", status_code=200, summary="Undo a merge (within 24 hours)")
    async def undo(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        access: NamedDependency[Access],
        merge_id: FromPath[int],
    ) -> dict[str, Any]:
        return await merging.undo_merge(tenant, access, Actor.of(principal, client_ip(request)), merge_id)
