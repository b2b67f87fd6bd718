"""``/api/v1/automation/rules``: rules, dry runs and run logs, for owners and admins."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from rapport_tenants.context import TenantContext

from rapport.automation.services import (
    create_rule,
    delete_rule,
    dry_run,
    get_rule,
    list_rules,
    list_runs,
    update_rule,
)
from rapport.identity.audit import Actor
from rapport.identity.guards import requires_role
from rapport.identity.principal import Principal
from rapport.identity.tables import Role
from rapport.kernel.clients import client_ip
from rapport.kernel.objects import ObjectType

__all__ = ["AutomationController"]

Document = dict[str, Any]


class RuleCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    object_type: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    trigger: Document
    actions: list[Document]
    conditions: Document = msgspec.field(default_factory=dict)
    active: bool = True


class RuleUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | msgspec.UnsetType = msgspec.UNSET
    object_type: Annotated[str, msgspec.Meta(min_length=1, max_length=50)] | msgspec.UnsetType = msgspec.UNSET
    trigger: Document | msgspec.UnsetType = msgspec.UNSET
    conditions: Document | msgspec.UnsetType = msgspec.UNSET
    actions: list[Document] | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class RuleOut(msgspec.Struct):
    id: int
    name: str
    object_type: str
    trigger: Document
    conditions: Document
    actions: list[Document]
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class DryRunRequest(msgspec.Struct, forbid_unknown_fields=True):
    record_id: int


class DryRunOut(msgspec.Struct):
    matched: bool
    conditions: list[Document]
    actions: list[Document]


class RunOut(msgspec.Struct):
    id: int
    rule_id: int
    event_id: uuid.UUID | None
    record_id: str
    trigger: str
    status: str
    conditions: list[Document]
    actions: list[Document]
    error: str | None
    fire_key: str | None
    created_at: dt.datetime


class RunPage(msgspec.Struct):
    items: list[RunOut]
    next_cursor: int | None


def _kinds(request: Request[Any, Any, Any]) -> dict[str, ObjectType]:
    kinds: dict[str, ObjectType] = request.app.state.object_types
    return kinds


class AutomationController(Controller):
    path = "/api/v1/automation/rules"
    tags = ["automation"]
    guards = [requires_role(Role.OWNER, Role.ADMIN)]

    @get("/", summary="Automation rules, oldest first")
    async def rules(self, tenant: NamedDependency[TenantContext]) -> list[RuleOut]:
        return [RuleOut(**rule) for rule in await list_rules(tenant)]

    @get("/{rule_id:int}", summary="One rule")
    async def rule(self, tenant: NamedDependency[TenantContext], rule_id: FromPath[int]) -> RuleOut:
        return RuleOut(**await get_rule(tenant, rule_id))

    @post("/", status_code=HTTP_201_CREATED, summary="Create a rule (trigger, conditions, actions)")
    async def create(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[RuleCreate],
    ) -> RuleOut:
        actor = Actor.of(principal, client_ip(request))
        return RuleOut(**await create_rule(tenant, actor, _kinds(request), msgspec.structs.asdict(data)))

    @patch("/{rule_id:int}", summary="Change a rule")
    async def update(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        rule_id: FromPath[int],
        data: JSONBody[RuleUpdate],
    ) -> RuleOut:
        actor = Actor.of(principal, client_ip(request))
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        return RuleOut(**await update_rule(tenant, actor, _kinds(request), rule_id, changes))

    @delete("/{rule_id:int}", status_code=HTTP_204_NO_CONTENT, summary="Delete a rule (its run log goes too)")
    async def remove(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        rule_id: FromPath[int],
    ) -> None:
        await delete_rule(tenant, Actor.of(principal, client_ip(request)), rule_id)

    @post("/{rule_id:int}/dry-run", status_code=HTTP_200_OK, summary="What the rule would do to a record")
    async def dry_run(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        rule_id: FromPath[int],
        data: JSONBody[DryRunRequest],
    ) -> DryRunOut:
        return DryRunOut(**await dry_run(tenant, _kinds(request), rule_id, data.record_id))

    @get("/{rule_id:int}/runs", summary="The rule's runs, newest first (keyset: pass next_cursor as cursor)")
    async def runs(
        self,
        tenant: NamedDependency[TenantContext],
        rule_id: FromPath[int],
        cursor: FromQuery[int | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> RunPage:
        rows = await list_runs(tenant, rule_id, cursor, limit + 1)
        items = [RunOut(**row) for row in rows[:limit]]
        return RunPage(items, items[-1].id if len(rows) > limit else None)
