"""CRM writes: validation with field errors, then the permission-aware query layer (audit row + event)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import nh3
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.objects import ACTIVITY, COMPANY, CONTACT, DEAL, LEAD, LINKABLE, NOTE
from rapport.crm.tables import Company, Stage
from rapport.events.outbox import NewEvent, emit
from rapport.identity import records
from rapport.identity.access import Access, PermissionDenied
from rapport.identity.audit import Actor
from rapport.kernel.errors import FieldError, NotFoundError, ValidationFailed
from rapport.kernel.objects import ObjectType

__all__ = ["apply_validated_create", "create", "update", "validate_lead"]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
PHONE = re.compile(r"^\+?[0-9 ().-]{5,30}$")
MAX_LIST = 20


def _entries(
    values: Any, name: str, pattern: re.Pattern[str], errors: list[FieldError]
) -> list[dict[str, Any]]:
    """A list of ``{"value", "label"?, "primary"?}``; the primary one first, exactly one primary."""
    if not isinstance(values, list) or len(values) > MAX_LIST:
        errors.append(FieldError(name, f"a list of at most {MAX_LIST} entries"))
        return []
    cleaned: list[dict[str, Any]] = []
    for index, entry in enumerate(values):
        value = entry.get("value") if isinstance(entry, Mapping) else entry
        if not isinstance(value, str) or not pattern.match(value.strip()):
            errors.append(FieldError(f"{name}.{index}", f"not a valid {name[:-1]}"))
            continue
        label = entry.get("label", "") if isinstance(entry, Mapping) else ""
        primary = bool(entry.get("primary")) if isinstance(entry, Mapping) else False
        cleaned.append({"value": value.strip().lower() if name == "emails" else value.strip(),
                        "label": str(label)[:50], "primary": primary})  # fmt: skip
    if cleaned and sum(entry["primary"] for entry in cleaned) > 1:
        errors.append(FieldError(name, "only one entry can be primary"))
    if cleaned and not any(entry["primary"] for entry in cleaned):
        cleaned[0]["primary"] = True
    return sorted(cleaned, key=lambda entry: not entry["primary"])


async def _exists(kind: ObjectType, record_id: Any) -> bool:
    table = kind.table
    deleted = kind.column(kind.deleted_field) if kind.deleted_field else None
    query = table.exists().where(table.id == record_id)
    return bool(await (query.where(deleted.is_null()) if deleted is not None else query))


async def _check_company(values: dict[str, Any], errors: list[FieldError], record_id: int | None) -> None:
    if values.get("name") is not None and not str(values["name"]).strip():
        errors.append(FieldError("name", "is required"))
    if values.get("domain"):
        values["domain"] = str(values["domain"]).strip().lower().removeprefix("www.")
        if not DOMAIN.match(values["domain"]):
            errors.append(FieldError("domain", "not a domain name (example.com)"))
    parent = values.get("parent")
    if parent is not None:
        if not await _exists(COMPANY, parent):
            errors.append(FieldError("parent", f"no company {parent}"))
        elif record_id is not None and await _creates_cycle(record_id, parent):
            errors.append(FieldError("parent", "would make the company its own ancestor"))


async def _creates_cycle(company_id: int, parent_id: int) -> bool:
    """Whether ``company_id`` is ``parent_id`` or one of its ancestors (one recursive query)."""
    rows = await Company.raw(
        "WITH RECURSIVE up(id, parent) AS (SELECT id, parent FROM companies WHERE id = {} "
        "UNION SELECT c.id, c.parent FROM companies c JOIN up ON c.id = up.parent) "
        "SELECT 1 FROM up WHERE id = {} LIMIT 1",
        parent_id,
        company_id,
    )
    return bool(rows)


async def _check_contact(
    values: dict[str, Any], errors: list[FieldError], current: Mapping[str, Any] | None
) -> None:
    if "emails" in values:
        values["emails"] = _entries(values["emails"], "emails", EMAIL, errors)
        values["email"] = values["emails"][0]["value"] if values["emails"] else None
    if "phones" in values:
        values["phones"] = _entries(values["phones"], "phones", PHONE, errors)
    merged = {**(current or {}), **values}
    if not (str(merged.get("first_name") or "").strip() or str(merged.get("last_name") or "").strip()
            or merged.get("email")):  # fmt: skip
        errors.append(FieldError("last_name", "a contact needs a name or an email address"))
    company = values.get("company")
    if company is not None and not await _exists(COMPANY, company):
        errors.append(FieldError("company", f"no company {company}"))


async def _check_deal(
    values: dict[str, Any], errors: list[FieldError], current: Mapping[str, Any] | None
) -> None:
    merged = {**(current or {}), **values}
    if not str(merged.get("name") or "").strip():
        errors.append(FieldError("name", "is required"))
    if merged.get("pipeline") is None:
        errors.append(FieldError("pipeline", "is required"))
        return
    stages = {
        row["id"]: row
        for row in await Stage.select(Stage.id, Stage.probability, Stage.position, Stage.kind)
        .where(Stage.pipeline == merged["pipeline"])
        .order_by(Stage.position)
    }
    if not stages:
        errors.append(FieldError("pipeline", f"no pipeline {merged['pipeline']}"))
        return
    if merged.get("stage") is None:  # a new deal starts in the pipeline's first open stage
        values["stage"] = next(row["id"] for row in stages.values() if row["kind"] == "open")
    stage = stages.get(values.get("stage", merged.get("stage")))
    if stage is None:
        errors.append(FieldError("stage", "not a stage of the deal's pipeline"))
    elif (
        "stage" in values
        and "probability" not in values
        and (current is None or values["stage"] != current["stage"])
    ):
        values["probability"] = stage["probability"]
    amount = merged.get("amount")
    if amount is not None and not (0 <= amount < 10**12 and amount == round(amount, 2)):
        errors.append(FieldError("amount", "from 0 to 999,999,999,999.99, at most two decimals"))
    if "currency" in values:
        values["currency"] = str(values["currency"]).upper()
        if not re.fullmatch(r"[A-Z]{3}", values["currency"]):
            errors.append(FieldError("currency", "an ISO 4217 code such as EUR"))
    for name, kind in (("company", COMPANY), ("contact", CONTACT)):
        if values.get(name) is not None and not await _exists(kind, values[name]):
            errors.append(FieldError(name, f"no {kind.label} {values[name]}"))


ACTIVITY_KINDS = ("call", "meeting", "email", "task")
NOTE_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "a", "ul", "ol", "li", "blockquote", "code",
             "pre", "h1", "h2", "h3", "h4", "hr", "span"}  # fmt: skip
MAX_NOTE = 100_000


async def _check_link(
    access: Access, values: dict[str, Any], errors: list[FieldError], current: Mapping[str, Any] | None
) -> None:
    """The linked record exists and the caller may read it (nobody writes notes onto what they cannot see)."""
    merged = {**(current or {}), **values}
    record_type, linked_id = merged.get("record_type"), merged.get("record_id")
    if record_type is None and linked_id is None:
        return
    linked = LINKABLE.get(str(record_type))
    if linked is None:
        errors.append(FieldError("record_type", f"one of {', '.join(LINKABLE)}"))
    elif linked_id is None:
        errors.append(FieldError("record_id", "is required with record_type"))
    elif "record_type" in values or "record_id" in values:
        try:
            await records.scoped_row(access, linked, int(linked_id))
        except NotFoundError:
            errors.append(FieldError("record_id", f"no {linked.label} {linked_id}"))
        except PermissionDenied:
            errors.append(FieldError("record_id", f"you may not see {linked.label} {linked_id}"))


async def _check_activity(
    access: Access, values: dict[str, Any], errors: list[FieldError], current: Mapping[str, Any] | None
) -> None:
    merged = {**(current or {}), **values}
    if not str(merged.get("subject") or "").strip():
        errors.append(FieldError("subject", "is required"))
    if merged.get("kind", "task") not in ACTIVITY_KINDS:
        errors.append(FieldError("kind", f"one of {', '.join(ACTIVITY_KINDS)}"))
    if merged.get("reminder_at") is not None:
        if merged.get("due_at") is None:
            errors.append(FieldError("reminder_at", "needs a due time"))
        elif merged["reminder_at"] > merged["due_at"]:
            errors.append(FieldError("reminder_at", "must not be after the due time"))
    if "done" in values and (current is None or values["done"] != current.get("done")):
        values["done_at"] = dt.datetime.now(dt.UTC) if values["done"] else None
    await _check_link(access, values, errors, current)


async def _check_note(
    access: Access, values: dict[str, Any], errors: list[FieldError], current: Mapping[str, Any] | None
) -> None:
    if "body" in values:
        values["body"] = nh3.clean(
            str(values["body"]), tags=NOTE_TAGS, link_rel="noopener noreferrer nofollow"
        )
        if not values["body"].strip():
            errors.append(FieldError("body", "is empty once cleaned"))
        elif len(values["body"]) > MAX_NOTE:
            errors.append(FieldError("body", "at most 100,000 characters"))
    elif current is None:
        errors.append(FieldError("body", "is required"))
    if current is None and values.get("record_type") is None:
        errors.append(FieldError("record_type", "a note belongs to a record"))
    await _check_link(access, values, errors, current)


LEAD_STATUSES = ("new", "contacted", "qualified", "unqualified")
"""Statuses a person may set; ``converted`` comes only from converting."""


async def validate_lead(values: dict[str, Any], current: Mapping[str, Any] | None) -> None:
    errors: list[FieldError] = []
    merged = {**(current or {}), **values}
    if values.get("email"):
        values["email"] = str(values["email"]).strip().lower()
        if not EMAIL.match(values["email"]):
            errors.append(FieldError("email", "not a valid email address"))
    if values.get("phone") and not PHONE.match(str(values["phone"]).strip()):
        errors.append(FieldError("phone", "not a valid phone number"))
    if not (str(merged.get("first_name") or "").strip() or str(merged.get("last_name") or "").strip()
            or merged.get("email")):  # fmt: skip
        errors.append(FieldError("last_name", "a lead needs a name or an email address"))
    if (
        "status" in values
        and values["status"] not in LEAD_STATUSES
        and not (current is None and values["status"] == "new")
    ):
        errors.append(FieldError("status", f"one of: {', '.join(LEAD_STATUSES)} (convert to convert)"))
    if current is not None and current.get("status") == "converted" and values:
        errors.append(FieldError("status", "a converted lead does not change"))
    if errors:
        raise ValidationFailed("The lead is not valid.", errors=errors)


async def _validate(
    kind: ObjectType,
    values: dict[str, Any],
    record_id: int | None,
    current: Mapping[str, Any] | None = None,
    access: Access | None = None,
) -> None:
    errors: list[FieldError] = []
    if kind is COMPANY:
        await _check_company(values, errors, record_id)
    elif kind is DEAL:
        await _check_deal(values, errors, current)
    elif kind is ACTIVITY:
        assert access is not None
        await _check_activity(access, values, errors, current)
    elif kind is NOTE:
        assert access is not None
        await _check_note(access, values, errors, current)
    elif kind is LEAD:
        await validate_lead(values, current)
    else:
        await _check_contact(values, errors, current)
    if kind.name in LINKABLE:
        from rapport.crm.custom_fields import validate_custom

        await validate_custom(kind.name, values, current, record_id, errors)
    if errors:
        raise ValidationFailed(f"The {kind.label} is not valid.", errors=errors)


async def create(
    tenant: TenantContext, access: Access, actor: Actor, kind: ObjectType, values: dict[str, Any]
) -> dict[str, Any]:
    access.require(kind, "create")
    if kind is COMPANY and not str(values.get("name") or "").strip():
        raise ValidationFailed("The company is not valid.", errors=[FieldError("name", "is required")])
    async with tenant_transaction(tenant):
        return await apply_validated_create(access, actor, kind, values)


async def apply_validated_create(
    access: Access, actor: Actor, kind: ObjectType, values: dict[str, Any]
) -> dict[str, Any]:
    """Validate and create inside the caller's open tenant transaction (lead conversion uses it)."""
    from rapport.crm import leads

    await _validate(kind, values, None, access=access)
    if kind is LEAD and kind.owner_field not in values:
        owner = await leads.assign_owner(values)
        if owner is not None and access.may_own(kind, owner):
            values[kind.owner_field] = owner
    row = await records.apply_create(access, actor, kind, values)
    if kind is LEAD:
        await leads.rescore([row["id"]])
        return await _with_score(access, row)
    return row


async def update(
    tenant: TenantContext,
    access: Access,
    actor: Actor,
    kind: ObjectType,
    record_id: int,
    values: dict[str, Any],
) -> dict[str, Any]:
    access.require(kind, "update")
    async with tenant_transaction(tenant):
        current = await records.scoped_row(access, kind, record_id)
        await _validate(kind, values, record_id, current, access)
        if kind is DEAL and "stage" in values and values["stage"] != current["stage"]:
            values["stage_changed_at"] = dt.datetime.now(dt.UTC)
            row = await records.apply_update(access, actor, kind, record_id, values)
            moved = {"stage": [current["stage"], values["stage"]]}
            await emit(NewEvent("deal.stage_changed", "deal", record_id, moved, actor.user_id, actor.label))
            return row
        row = await records.apply_update(access, actor, kind, record_id, values)
        if kind is LEAD:
            from rapport.crm import leads

            await leads.rescore([record_id])
            row = await _with_score(access, row)
        return row


async def _with_score(access: Access, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with the lead's score as rescoring left it (unless the role hides the score)."""
    from rapport.kernel.db import transaction_connection

    if "score" in access.hidden(LEAD.name):
        return row
    score = await transaction_connection().fetchval("SELECT score FROM leads WHERE id = $1", row["id"])
    return {**row, "score": score}
