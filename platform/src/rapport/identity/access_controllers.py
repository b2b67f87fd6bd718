"""Access administration API: object types, roles, teams, members; and the caller's own permissions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from rapport_tenants.context import TenantContext

from rapport.identity.access import Access, RoleSpec
from rapport.identity.audit import Actor
from rapport.identity.guards import requires_role
from rapport.identity.principal import Principal
from rapport.identity.roles import (
    create_role,
    create_team,
    delete_role,
    delete_team,
    get_role,
    list_members,
    list_roles,
    list_teams,
    update_member,
    update_role,
    update_team,
)
from rapport.identity.tables import Role
from rapport.kernel.clients import client_ip
from rapport.kernel.objects import ObjectType

__all__ = ["AccessController", "MemberController", "RoleController", "TeamController"]

ADMINS = requires_role(Role.OWNER, Role.ADMIN)
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class FieldOut(msgspec.Struct):
    name: str
    label: str


class ObjectTypeOut(msgspec.Struct):
    name: str
    label: str
    fields: list[FieldOut]


class RoleOut(msgspec.Struct):
    key: str
    name: str
    description: str
    builtin: bool
    admin: bool
    permissions: dict[str, Any]

    @classmethod
    def of(cls, spec: RoleSpec) -> RoleOut:
        return cls(spec.key, spec.name, spec.description, spec.builtin, spec.admin, spec.permissions_json())


class RoleCreate(msgspec.Struct, forbid_unknown_fields=True):
    key: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    name: Name
    description: Annotated[str, msgspec.Meta(max_length=500)] = ""
    permissions: dict[str, Any] | None = None
    based_on: str | None = None


class RoleUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Annotated[str, msgspec.Meta(max_length=500)] | msgspec.UnsetType = msgspec.UNSET
    permissions: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET


class MyPermissions(msgspec.Struct):
    role: RoleOut
    teammates: list[uuid.UUID]


class TeamOut(msgspec.Struct):
    id: int
    name: str
    members: list[uuid.UUID]
    created_at: dt.datetime


class TeamCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    members: Annotated[list[uuid.UUID], msgspec.Meta(max_length=1000)] = msgspec.field(default_factory=list)


class TeamUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    members: Annotated[list[uuid.UUID], msgspec.Meta(max_length=1000)] | None = None


class MemberOut(msgspec.Struct):
    id: int
    user_id: uuid.UUID
    email: str
    role: str
    active: bool
    teams: list[int]
    created_at: dt.datetime


class MemberPage(msgspec.Struct):
    items: list[MemberOut]
    next_cursor: int | None


class MemberUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    role: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    teams: Annotated[list[int], msgspec.Meta(max_length=100)] | msgspec.UnsetType = msgspec.UNSET


def _kinds(request: Request[Any, Any, Any]) -> dict[str, ObjectType]:
    kinds: dict[str, ObjectType] = request.app.state.object_types
    return kinds


def _set(struct: msgspec.Struct) -> dict[str, Any]:
    """The fields a PATCH body actually sent."""
    return {
        name: value for name, value in msgspec.structs.asdict(struct).items() if value is not msgspec.UNSET
    }


class AccessController(Controller):
    """What any member may ask: which object types exist, and what their own role lets them do."""

    path = "/api/v1"
    tags = ["access"]

    @get("/object-types", summary="The object types roles give permissions on, with their fields")
    async def object_types(self, request: Request[Any, Any, Any]) -> list[ObjectTypeOut]:
        return [
            ObjectTypeOut(
                kind.name, kind.label, [FieldOut(name, label) for name, label in kind.fields.items()]
            )
            for kind in sorted(_kinds(request).values(), key=lambda kind: kind.name)
        ]

    @get("/me/permissions", summary="Your role's permissions in this workspace (for showing what you can do)")
    async def my_permissions(self, access: NamedDependency[Access]) -> MyPermissions:
        return MyPermissions(RoleOut.of(access.role), sorted(access.teammates))


class RoleController(Controller):
    path = "/api/v1/roles"
    tags = ["access"]
    guards = [ADMINS]

    @get("/", summary="Built-in roles, then custom roles by name")
    async def roles(self, tenant: NamedDependency[TenantContext]) -> list[RoleOut]:
        return [RoleOut.of(spec) for spec in await list_roles(tenant)]

    @get("/{key:str}", summary="One role")
    async def role(self, tenant: NamedDependency[TenantContext], key: FromPath[str]) -> RoleOut:
        return RoleOut.of(await get_role(tenant, key))

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Create a custom role (give permissions, or based_on a built-in)",
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[RoleCreate],
    ) -> RoleOut:
        spec = await create_role(
            tenant,
            Actor.of(principal, client_ip(request)),
            _kinds(request),
            key=data.key,
            name=data.name,
            description=data.description,
            permissions=data.permissions,
            based_on=data.based_on,
        )
        return RoleOut.of(spec)

    @patch("/{key:str}", summary="Change a custom role; its members get the change at once")
    async def update(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        key: FromPath[str],
        data: JSONBody[RoleUpdate],
    ) -> RoleOut:
        actor = Actor.of(principal, client_ip(request))
        return RoleOut.of(await update_role(tenant, actor, _kinds(request), key, _set(data)))

    @delete("/{key:str}", status_code=HTTP_204_NO_CONTENT, summary="Delete a custom role nobody holds")
    async def remove(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        key: FromPath[str],
    ) -> None:
        await delete_role(tenant, Actor.of(principal, client_ip(request)), key)


class TeamController(Controller):
    path = "/api/v1/teams"
    tags = ["access"]
    guards = [ADMINS]

    @get("/", summary="Teams by name, with their members' user ids")
    async def teams(self, tenant: NamedDependency[TenantContext]) -> list[TeamOut]:
        return [TeamOut(**team) for team in await list_teams(tenant)]

    @post("/", status_code=HTTP_201_CREATED, summary="Create a team")
    async def create(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[TeamCreate],
    ) -> TeamOut:
        team = await create_team(tenant, Actor.of(principal, client_ip(request)), data.name, data.members)
        return TeamOut(**team)

    @patch("/{team_id:int}", summary="Rename a team or replace its members")
    async def update(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        team_id: FromPath[int],
        data: JSONBody[TeamUpdate],
    ) -> TeamOut:
        actor = Actor.of(principal, client_ip(request))
        return TeamOut(**await update_team(tenant, actor, team_id, data.name, data.members))

    @delete("/{team_id:int}", status_code=HTTP_204_NO_CONTENT, summary="Delete a team (its members stay)")
    async def remove(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        team_id: FromPath[int],
    ) -> None:
        await delete_team(tenant, Actor.of(principal, client_ip(request)), team_id)


class MemberController(Controller):
    path = "/api/v1/members"
    tags = ["access"]

    @get("/", summary="Members of the workspace in joining order (keyset: pass next_cursor as cursor)")
    async def members(
        self,
        tenant: NamedDependency[TenantContext],
        cursor: FromQuery[int | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> MemberPage:
        rows = await list_members(tenant, after=cursor, limit=limit + 1)
        items = [MemberOut(**row) for row in rows[:limit]]
        return MemberPage(items, items[-1].id if len(rows) > limit else None)

    @patch("/{user_id:uuid}", guards=[ADMINS], summary="Change a member's role, teams or active flag")
    async def update(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        user_id: FromPath[uuid.UUID],
        data: JSONBody[MemberUpdate],
    ) -> MemberOut:
        actor = Actor.of(principal, client_ip(request))
        return MemberOut(**await update_member(tenant, actor, principal, user_id, _set(data)))
