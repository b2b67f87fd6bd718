"""Leads: web-to-lead capture, assignment rules, points-based scoring, and conversion.

- **Capture** (``POST /api/v1/capture/{key}``, public): a lead form's key picks the tenant's form; a
  honeypot field and a per-address and per-form rate limit keep bots out; the lead is created through
  the records layer (audit row, ``lead.created`` event) by the form, not by a person.
- **Assignment**: rules in ``position`` order, first match wins: a condition on one lead field (or none),
  then a person or a team's next member in turn (the turn is a counter on the rule, advanced with one
  ``UPDATE … RETURNING``). Applied to captured leads and to leads created without an owner.
- **Scoring**: the score is recomputed in SQL for a set of leads at once: the sum of the points of every
  field rule the lead matches plus, per activity rule, points times its linked activities of that kind.
  Recomputed on every lead write, by an events consumer when a lead's activities change, and for all
  leads when the rules change.
- **Conversion** runs in one transaction: the contact is reused when one has the lead's email, the company
  when one has the lead's company name (case-insensitive) or email domain; an optional deal is created on
  a pipeline; the lead is marked converted with links to what it became.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.objects import COMPANY, CONTACT, DEAL, LEAD
from rapport.crm.tables import LeadAssignmentRule, LeadForm, LeadScoringRule
from rapport.events.consumers import EventConsumer
from rapport.events.outbox import Event
from rapport.identity import records
from rapport.identity.access import BUILTIN_ROLES, Access
from rapport.identity.audit import Actor
from rapport.kernel.db import transaction_connection
from rapport.kernel.errors import ConflictError, FieldError, NotFoundError, ValidationFailed

__all__ = [
    "LEAD_ACTIVITY_CONSUMER",
    "LEAD_FIELDS",
    "RULE_OPS",
    "STATUSES",
    "assign_owner",
    "capture",
    "convert",
    "create_form",
    "rescore",
]

STATUSES = ("new", "contacted", "qualified", "unqualified", "converted")
LEAD_FIELDS = ("email", "email_domain", "company_name", "title", "source", "status", "phone")
"""What assignment and scoring rules may test (``email_domain``: the part after the ``@``)."""
RULE_OPS = ("eq", "ne", "contains", "starts_with", "is_empty", "not_empty")
ACTIVITY_KINDS = ("call", "meeting", "email", "task")
MAX_RULES = 100
SCORE_LIMIT = 100_000


def form_access() -> Access:
    """What a lead form may do: create leads (as an admin would), owned by whoever the rules pick."""
    return Access(user_id=uuid.UUID(int=0), role=BUILTIN_ROLES["admin"], teammates=frozenset())


def _field_value(values: Mapping[str, Any], field: str) -> str:
    if field == "email_domain":
        return str(values.get("email") or "").rsplit("@", 1)[-1].lower() if values.get("email") else ""
    return str(values.get(field) or "")


def matches(values: Mapping[str, Any], field: str | None, op: str, expected: str) -> bool:
    """Whether a lead's ``field`` satisfies ``op expected`` (case-insensitive); no field: always."""
    if field is None:
        return True
    actual, wanted = _field_value(values, field).lower(), expected.lower()
    return {
        "eq": actual == wanted,
        "ne": actual != wanted,
        "contains": wanted in actual,
        "starts_with": actual.startswith(wanted),
        "is_empty": actual == "",
        "not_empty": actual != "",
    }[op]


def check_rule(data: Mapping[str, Any], *, scoring: bool) -> None:
    errors: list[FieldError] = []
    field, op = data.get("field"), data.get("op", "eq")
    if field is not None and field not in LEAD_FIELDS:
        errors.append(FieldError("field", f"one of: {', '.join(LEAD_FIELDS)}"))
    if op not in RULE_OPS:
        errors.append(FieldError("op", f"one of: {', '.join(RULE_OPS)}"))
    if scoring:
        kind = data.get("activity_kind")
        if (field is None) == (kind is None):
            errors.append(FieldError("field", "a scoring rule tests either a field or an activity kind"))
        if kind is not None and kind not in ACTIVITY_KINDS:
            errors.append(FieldError("activity_kind", f"one of: {', '.join(ACTIVITY_KINDS)}"))
    elif (data.get("user_id") is None) == (data.get("team_id") is None):
        errors.append(FieldError("user_id", "assign to a person (user_id) or a team's turn (team_id)"))
    if errors:
        raise ValidationFailed("The rule is not valid.", errors=errors)


async def assign_owner(values: Mapping[str, Any]) -> uuid.UUID | None:
    """The owner the first matching assignment rule gives a new lead (inside the tenant transaction)."""
    rules = (
        await LeadAssignmentRule.select()
        .order_by(LeadAssignmentRule.position)
        .order_by(LeadAssignmentRule.id)
    )
    for rule in rules:
        if not matches(values, rule["field"], rule["op"], rule["value"]):
            continue
        if rule["user_id"] is not None:
            return uuid.UUID(str(rule["user_id"]))
        members = [
            row["user_id"]
            for row in await transaction_connection().fetch(
                "SELECT tm.user_id FROM team_members tm JOIN memberships m ON m.user_id = tm.user_id "
                "AND m.active WHERE tm.team = $1 ORDER BY tm.user_id",
                rule["team_id"],
            )
        ]
        if members:
            turn: int = await transaction_connection().fetchval(
                "UPDATE lead_assignment_rules SET turn = turn + 1 WHERE id = $1 RETURNING turn - 1",
                rule["id"],
            )
            return uuid.UUID(str(members[turn % len(members)]))
    return None


_FIELD_SQL = {
    "email": "coalesce(l.email, '')",
    "email_domain": "lower(split_part(coalesce(l.email, ''), '@', 2))",
    "company_name": "coalesce(l.company_name, '')",
    "title": "coalesce(l.title, '')",
    "source": "l.source",
    "status": "l.status",
    "phone": "coalesce(l.phone, '')",
}


async def rescore(lead_ids: Sequence[int] | None) -> None:
    """Recompute the score of ``lead_ids`` (None: every lead) in one statement, from the current rules."""
    rules = await LeadScoringRule.select()
    args: list[Any] = []

    def add(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    terms = []
    for rule in rules:
        points = add(int(rule["points"]))
        if rule["activity_kind"] is not None:
            done = " AND a.done" if rule["activity_done"] else ""
            terms.append(
                f"{points}::int * (SELECT count(*) FROM activities a WHERE a.record_type = 'lead' "
                f"AND a.record_id = l.id AND a.deleted_at IS NULL AND a.kind = {add(rule['activity_kind'])}"
                f"{done})"
            )
            continue
        column, op = _FIELD_SQL[rule["field"]], rule["op"]
        value = "" if op in ("is_empty", "not_empty") else add(str(rule["value"]).lower())
        condition = {
            "eq": f"lower({column}) = {value}",
            "ne": f"lower({column}) <> {value}",
            "contains": f"strpos(lower({column}), {value}) > 0",
            "starts_with": f"starts_with(lower({column}), {value})",
            "is_empty": f"{column} = ''",
            "not_empty": f"{column} <> ''",
        }[op]
        terms.append(f"CASE WHEN {condition} THEN {points}::int ELSE 0 END")
    total = " + ".join(terms) or "0"
    where = "l.deleted_at IS NULL"
    if lead_ids is not None:
        where += f" AND l.id = ANY({add(list(lead_ids))}::bigint[])"
    low, high = add(-SCORE_LIMIT), add(SCORE_LIMIT)
    await transaction_connection().execute(
        f"UPDATE leads SET score = s.new FROM (SELECT l.id, "
        f"greatest({low}::int, least({high}::int, {total})) AS new FROM leads l WHERE {where}) s "
        "WHERE leads.id = s.id AND leads.score IS DISTINCT FROM s.new",
        *args,
    )


async def _rescore_for_activities(tenant: TenantContext, events: list[Event]) -> None:
    ids = [int(event.record_id) for event in events if event.record_id.isdigit()]
    lead_ids = [
        row["record_id"]
        for row in await transaction_connection().fetch(
            "SELECT DISTINCT record_id FROM activities WHERE id = ANY($1::bigint[]) AND record_type = 'lead'",
            ids,
        )
    ]
    if lead_ids:
        await rescore(lead_ids)


LEAD_ACTIVITY_CONSUMER = EventConsumer(
    "crm.lead_scores",
    _rescore_for_activities,
    events=("activity.created", "activity.updated", "activity.deleted"),
)


async def create_form(
    tenant: TenantContext, actor: Actor, name: str, source: str, owner_id: uuid.UUID
) -> dict[str, Any]:
    form = LeadForm(name=name, key="lf_" + secrets.token_urlsafe(24), source=source, owner_id=owner_id)
    async with tenant_transaction(tenant):
        await LeadForm.insert(form)
        from rapport.identity import audit

        await audit.record(actor, "lead_form.created", "lead_form", form.id, {"name": (None, name)})
    return dict(form.to_dict())


async def capture(tenant: TenantContext, key: str, values: dict[str, Any], ip: str) -> int:
    """Create the lead a form posted (validated like any lead), assigned by the rules; its id."""
    from rapport.crm.services import validate_lead

    async with tenant_transaction(tenant):
        form = await LeadForm.select().where((LeadForm.key == key) & (LeadForm.active == True)).first()  # noqa: E712
        if form is None:
            raise NotFoundError("There is no such lead form.")
        values = {**values, "source": form["source"], "status": "new"}
        await validate_lead(values, None)
        owner = await assign_owner(values) or form["owner_id"]
        actor = Actor(None, f"lead form {form['name']}", "form", ip)
        row = await records.apply_create(form_access(), actor, LEAD, {**values, "owner_id": owner})
        await rescore([row["id"]])
    return int(row["id"])


def _domain_of(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].lower()


async def convert(
    tenant: TenantContext, access: Access, actor: Actor, lead_id: int, deal: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Contact (reused by email), company (reused by name or email domain) and optional deal, at once."""
    from rapport.crm.services import apply_validated_create

    access.require(LEAD, "update")
    async with tenant_transaction(tenant):
        lead = await records.scoped_row(access, LEAD, lead_id)
        if lead["status"] == "converted":
            raise ConflictError(f"Lead {lead_id} was converted already.")
        connection = transaction_connection()
        company_id = None
        reused_company = False
        if lead["company_name"] or _domain_of(lead["email"]):
            company_id = await connection.fetchval(
                "SELECT id FROM companies WHERE deleted_at IS NULL "
                "AND (lower(name) = lower($1) OR domain = $2) "
                "ORDER BY (lower(name) = lower($1)) DESC, id LIMIT 1",
                lead["company_name"] or "",
                _domain_of(lead["email"]),
            )
            reused_company = company_id is not None
            if company_id is None and lead["company_name"]:
                company = await apply_validated_create(access, actor, COMPANY, {"name": lead["company_name"]})
                company_id = company["id"]
        contact_id = None
        if lead["email"]:
            contact_id = await connection.fetchval(
                "SELECT id FROM contacts WHERE deleted_at IS NULL AND email = $1 ORDER BY id LIMIT 1",
                lead["email"].lower(),
            )
        reused_contact = contact_id is not None
        if contact_id is None:
            contact_values: dict[str, Any] = {
                "first_name": lead["first_name"], "last_name": lead["last_name"], "title": lead["title"],
                "emails": [lead["email"]] if lead["email"] else [],
                "phones": [lead["phone"]] if lead["phone"] else [], "company": company_id,
            }  # fmt: skip
            contact_id = (await apply_validated_create(access, actor, CONTACT, contact_values))["id"]
        deal_id = None
        if deal is not None:
            deal_values = {**deal, "company": company_id, "contact": contact_id}
            deal_id = (await apply_validated_create(access, actor, DEAL, deal_values))["id"]
        changes = {
            "status": "converted", "converted_at": dt.datetime.now(dt.UTC), "converted_contact": contact_id,
            "converted_company": company_id, "converted_deal": deal_id,
        }  # fmt: skip
        converted = await records.apply_update(access, actor, LEAD, lead_id, changes)
    return {
        "lead": converted, "contact_id": contact_id, "company_id": company_id, "deal_id": deal_id,
        "reused_contact": reused_contact, "reused_company": reused_company,
    }  # fmt: skip
