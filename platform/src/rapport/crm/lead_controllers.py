"""Lead routes beyond the common record shape: conversion, web-to-lead forms and capture, and the rules."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm import leads
from rapport.crm.tables import LeadAssignmentRule, LeadForm, LeadScoringRule
from rapport.identity import audit
from rapport.identity.access import Access, requires_permission
from rapport.identity.audit import Actor
from rapport.identity.guards import requires_role
from rapport.identity.principal import Principal
from rapport.identity.tables import Role
from rapport.kernel.clients import client_ip
from rapport.kernel.errors import FieldError, NotFoundError, ValidationFailed
from rapport.kernel.ratelimit import enforce_rate_limit, rate_limit_key

__all__ = ["LeadCaptureController", "LeadConversionController", "LeadFormController", "LeadRuleController"]

ADMINS = requires_role(Role.OWNER, Role.ADMIN)
CAPTURES_PER_ADDRESS_PER_HOUR = 20
CAPTURES_PER_FORM_PER_HOUR = 2_000
Short = Annotated[str, msgspec.Meta(max_length=200)]


class DealSeed(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    pipeline: int
    amount: decimal.Decimal | None = None
    currency: Annotated[str, msgspec.Meta(min_length=3, max_length=3)] | None = None
    expected_close: dt.date | None = None


class ConvertIn(msgspec.Struct, forbid_unknown_fields=True):
    deal: DealSeed | None = None


class CaptureIn(msgspec.Struct, forbid_unknown_fields=True):
    """What a web form posts. ``website`` is the honeypot: a hidden field people leave empty."""

    first_name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    last_name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    email: Annotated[str, msgspec.Meta(max_length=320)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    company_name: Short | None = None
    title: Annotated[str, msgspec.Meta(max_length=150)] | None = None
    website: Annotated[str, msgspec.Meta(max_length=500)] = ""


class FormIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    source: Annotated[str, msgspec.Meta(min_length=1, max_length=50)] = "web"
    owner_id: uuid.UUID | None = None


class FormChange(msgspec.Struct, forbid_unknown_fields=True):
    active: bool


class AssignmentRuleIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    field: str | None = None
    op: str = "eq"
    value: Short = ""
    user_id: uuid.UUID | None = None
    team_id: int | None = None
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0


class ScoringRuleIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    points: Annotated[int, msgspec.Meta(ge=-1000, le=1000)]
    field: str | None = None
    op: str = "eq"
    value: Short = ""
    activity_kind: str | None = None
    activity_done: bool = False


class LeadConversionController(Controller):
    path = "/api/v1/leads"
    tags = ["crm"]

    @post(
        "/{lead_id:int}/convert",
        status_code=200,
        guards=[requires_permission("lead", "update"), requires_permission("contact", "create")],
        summary="Convert a lead: contact (reused by email), company (reused by name/domain), optional deal",
    )
    async def convert(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        access: NamedDependency[Access],
        lead_id: FromPath[int],
        data: JSONBody[ConvertIn],
    ) -> dict[str, Any]:
        actor = Actor.of(principal, client_ip(request))
        deal = None
        if data.deal is not None:
            deal = {k: v for k, v in msgspec.structs.asdict(data.deal).items() if v is not None}
        return await leads.convert(tenant, access, actor, lead_id, deal)


class LeadCaptureController(Controller):
    """The public web-to-lead endpoint a customer's website posts to (no session: the form key decides)."""

    path = "/api/v1/capture"
    tags = ["crm"]

    @post(
        "/{key:str}",
        exclude_from_auth=True,
        status_code=HTTP_201_CREATED,
        summary="Web-to-lead: create a lead from a website form (honeypot field 'website' must stay empty)",
    )
    async def capture(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        key: FromPath[Annotated[str, msgspec.Meta(max_length=64)]],
        data: JSONBody[CaptureIn],
    ) -> dict[str, Any]:
        redis = request.app.state.redis
        ip = client_ip(request)
        await enforce_rate_limit(
            redis,
            rate_limit_key("capture", "t", str(tenant.id), "ip", ip),
            CAPTURES_PER_ADDRESS_PER_HOUR,
            3600,
        )
        await enforce_rate_limit(
            redis,
            rate_limit_key("capture", "t", str(tenant.id), "form", key[:64]),
            CAPTURES_PER_FORM_PER_HOUR,
            3600,
        )
        if data.website:  # a bot filled the hidden field: answer like a success, keep nothing
            return {"received": True}
        values = {
            k: v for k, v in msgspec.structs.asdict(data).items() if k != "website" and v not in (None, "")
        }
        await leads.capture(tenant, key, values, ip)
        return {"received": True}


class LeadFormController(Controller):
    path = "/api/v1/lead-forms"
    tags = ["crm"]
    guards = [ADMINS]

    @post(
        "/", status_code=HTTP_201_CREATED, summary="A web-to-lead form: its key goes into your website's form"
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[FormIn],
    ) -> dict[str, Any]:
        actor = Actor.of(principal, client_ip(request))
        form = await leads.create_form(
            tenant, actor, data.name, data.source, data.owner_id or principal.user_id
        )
        return {**form, "capture_url": f"/api/v1/capture/{form['key']}"}

    @get("/", summary="Lead forms")
    async def list(self, tenant: NamedDependency[TenantContext]) -> list[dict[str, Any]]:
        async with tenant_transaction(tenant):
            return list(await LeadForm.select().order_by(LeadForm.id))

    @patch("/{form_id:int}", summary="Turn a form off (its key stops working) or on")
    async def change(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        form_id: FromPath[int],
        data: JSONBody[FormChange],
    ) -> dict[str, Any]:
        async with tenant_transaction(tenant):
            changed = (
                await LeadForm.update({LeadForm.active: data.active})
                .where(LeadForm.id == form_id)
                .returning(*LeadForm.all_columns())
            )
            if not changed:
                raise NotFoundError(f"No lead form {form_id}.")
            actor = Actor.of(principal, client_ip(request))
            await audit.record(
                actor, "lead_form.changed", "lead_form", form_id, {"active": (None, data.active)}
            )
        return dict(changed[0])


def _rule_table(kind: str) -> Any:
    if kind not in ("assignment", "scoring"):
        raise NotFoundError("Rules are 'assignment' or 'scoring'.")
    return LeadAssignmentRule if kind == "assignment" else LeadScoringRule


class LeadRuleController(Controller):
    """Assignment rules (first match wins, by position) and scoring rules (points add up)."""

    path = "/api/v1/lead-rules"
    tags = ["crm"]
    guards = [ADMINS]

    @get("/assignment", summary="Assignment rules, in the order they are tried")
    async def assignment_rules(self, tenant: NamedDependency[TenantContext]) -> list[dict[str, Any]]:
        async with tenant_transaction(tenant):
            rules = LeadAssignmentRule.select().order_by(LeadAssignmentRule.position)
            return list(await rules.order_by(LeadAssignmentRule.id))

    @get("/scoring", summary="Scoring rules (a lead's score is the sum of the points it earns)")
    async def scoring_rules(self, tenant: NamedDependency[TenantContext]) -> list[dict[str, Any]]:
        async with tenant_transaction(tenant):
            return list(await LeadScoringRule.select().order_by(LeadScoringRule.id))

    @post("/assignment", status_code=HTTP_201_CREATED, summary="Add an assignment rule")
    async def add_assignment(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[AssignmentRuleIn],
    ) -> dict[str, Any]:
        values = msgspec.structs.asdict(data)
        leads.check_rule(values, scoring=False)
        async with tenant_transaction(tenant) as transaction:
            if data.team_id is not None and not await transaction.connection.fetchval(
                "SELECT EXISTS (SELECT 1 FROM teams WHERE id = $1)", data.team_id
            ):
                raise ValidationFailed(
                    "The rule is not valid.", errors=[FieldError("team_id", "no such team")]
                )
            return await _insert(LeadAssignmentRule, values, Actor.of(principal, client_ip(request)))

    @post("/scoring", status_code=HTTP_201_CREATED, summary="Add a scoring rule (every lead is rescored)")
    async def add_scoring(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[ScoringRuleIn],
    ) -> dict[str, Any]:
        values = msgspec.structs.asdict(data)
        leads.check_rule(values, scoring=True)
        async with tenant_transaction(tenant):
            rule = await _insert(LeadScoringRule, values, Actor.of(principal, client_ip(request)))
            await leads.rescore(None)
            return rule

    @delete("/{kind:str}/{rule_id:int}", status_code=HTTP_204_NO_CONTENT, summary="Remove a rule")
    async def remove(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        kind: FromPath[str],
        rule_id: FromPath[int],
    ) -> None:
        table = _rule_table(kind)
        async with tenant_transaction(tenant):
            if not await table.delete().where(table.id == rule_id).returning(table.id):
                raise NotFoundError(f"No {kind} rule {rule_id}.")
            actor = Actor.of(principal, client_ip(request))
            await audit.record(actor, f"lead_{kind}_rule.deleted", f"lead_{kind}_rule", rule_id)
            if table is LeadScoringRule:
                await leads.rescore(None)


async def _insert(table: Any, values: dict[str, Any], actor: Actor) -> dict[str, Any]:
    row = (await table.insert(table(**values)).returning(*table.all_columns()))[0]
    name = table._meta.tablename.removesuffix("s")
    await audit.record(actor, f"{name}.created", name, row["id"], {"name": (None, values["name"])})
    return dict(row)
