"""The CRM's object types and, for each, the fields lists may filter and sort on (each backed by an index)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rapport.crm.tables import Activity, Company, Contact, Deal, Lead, Note
from rapport.kernel.objects import ObjectType

__all__ = [
    "ACTIVITY", "COMPANY", "CONTACT", "DEAL", "LEAD", "LINKABLE", "LISTS", "NOTE", "FieldSpec", "ListSpec",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A field as lists see it: its SQL (a column or an expression), its kind, what lists may do with it."""

    sql: str
    kind: str
    """``text``, ``id`` (a reference or the row id), ``uuid``, ``datetime``, ``date``, ``number``,
    ``boolean``."""
    sortable: bool = False
    trigram: bool = False
    """A trigram index covers it: ``contains`` and ``starts_with`` are offered."""
    reads: tuple[str, ...] = ()
    """The columns an expression reads (``name``: first and last name): hiding any of them hides it."""
    ordered: bool = False
    """A text whose order is meaningful (ISO dates of custom fields): ranges are offered too."""
    custom_key: str | None = None
    """A custom field's key: conditions also require the record to have a value for it."""


@dataclass(frozen=True, slots=True)
class ListSpec:
    kind: ObjectType
    table: str
    fields: Mapping[str, FieldSpec]
    search_sql: str
    """The text expression ``q=`` and global search match on (a trigram GIN index covers it)."""
    search_fields: tuple[str, ...]
    """The object-type fields ``search_sql`` reads: hiding any of them removes the type from search."""
    title_sql: str
    default_sort: str = "id"
    columns: tuple[str, ...] = field(default_factory=tuple)
    global_search: bool = True
    """Part of ``/api/v1/search`` (contacts, companies, deals, leads; not activities or notes)."""


COMPANY = ObjectType(
    name="company",
    label="company",
    table=Company,
    fields={"name": "Name", "domain": "Domain", "industry": "Industry", "parent": "Parent company",
            "custom": "Custom fields", "owner_id": "Owner"},
    deleted_field="deleted_at",
)  # fmt: skip

CONTACT = ObjectType(
    name="contact",
    label="contact",
    table=Contact,
    fields={"first_name": "First name", "last_name": "Last name", "emails": "Email addresses",
            "phones": "Phones", "title": "Title", "company": "Company", "custom": "Custom fields",
            "owner_id": "Owner"},
    deleted_field="deleted_at",
    derived_columns={"emails": ("email",)},
)  # fmt: skip

DEAL = ObjectType(
    name="deal",
    label="deal",
    table=Deal,
    fields={"name": "Name", "pipeline": "Pipeline", "stage": "Stage", "amount": "Amount",
            "currency": "Currency", "expected_close": "Expected close", "probability": "Probability",
            "company": "Company", "contact": "Contact", "custom": "Custom fields", "owner_id": "Owner"},
    deleted_field="deleted_at",
)  # fmt: skip

ACTIVITY = ObjectType(
    name="activity",
    label="activity",
    table=Activity,
    fields={"kind": "Kind", "subject": "Subject", "details": "Details", "due_at": "Due",
            "reminder_at": "Reminder", "done": "Done", "record_type": "Linked record type",
            "record_id": "Linked record", "owner_id": "Owner"},
    deleted_field="deleted_at",
    derived_columns={"done": ("done_at",)},
)  # fmt: skip

NOTE = ObjectType(
    name="note",
    label="note",
    table=Note,
    fields={"body": "Text", "record_type": "Linked record type", "record_id": "Linked record",
            "owner_id": "Owner"},
    deleted_field="deleted_at",
)  # fmt: skip

LEAD = ObjectType(
    name="lead",
    label="lead",
    table=Lead,
    fields={"first_name": "First name", "last_name": "Last name", "email": "Email", "phone": "Phone",
            "company_name": "Company", "title": "Title", "source": "Source", "status": "Status",
            "score": "Score", "custom": "Custom fields", "owner_id": "Owner"},
    deleted_field="deleted_at",
)  # fmt: skip

LINKABLE = {"company": COMPANY, "contact": CONTACT, "deal": DEAL, "lead": LEAD}
"""What activities and notes can be linked to (and what has a timeline)."""

_TIMES = {
    "created_at": FieldSpec("created_at", "datetime", sortable=True),
    "updated_at": FieldSpec("updated_at", "datetime", sortable=True),
}
_TAG = {"tag": FieldSpec("tag", "tag")}
"""Filter on tags (``eq``: has it, ``in``: any of them, ``ne``: has it not)."""

LISTS: dict[str, ListSpec] = {
    "company": ListSpec(
        kind=COMPANY,
        table="companies",
        fields={
            "id": FieldSpec("id", "id", sortable=True),
            "name": FieldSpec("name", "text", sortable=True, trigram=True),
            "domain": FieldSpec("domain", "text"),
            "industry": FieldSpec("industry", "text"),
            "parent": FieldSpec("parent", "id"),
            "owner_id": FieldSpec("owner_id", "uuid"),
            **_TIMES,
            **_TAG,
        },
        search_sql="name",
        search_fields=("name",),
        title_sql="name",
        columns=(
            "id",
            "name",
            "domain",
            "industry",
            "parent",
            "custom",
            "owner_id",
            "created_at",
            "updated_at",
        ),
    ),
    "contact": ListSpec(
        kind=CONTACT,
        table="contacts",
        fields={
            "id": FieldSpec("id", "id", sortable=True),
            "name": FieldSpec(
                "(first_name || ' ' || last_name)", "text", trigram=True, reads=("first_name", "last_name")
            ),
            "last_name": FieldSpec("last_name", "text", sortable=True),
            "email": FieldSpec("email", "text", trigram=True),
            "company": FieldSpec("company", "id"),
            "owner_id": FieldSpec("owner_id", "uuid"),
            **_TIMES,
            **_TAG,
        },
        search_sql="(first_name || ' ' || last_name || ' ' || coalesce(email, ''))",
        search_fields=("first_name", "last_name", "emails"),
        title_sql="trim(first_name || ' ' || last_name)",
        columns=(
            "id",
            "first_name",
            "last_name",
            "email",
            "emails",
            "phones",
            "title",
            "company",
            "custom",
            "owner_id",
            "created_at",
            "updated_at",
        ),
    ),
    "deal": ListSpec(
        kind=DEAL,
        table="deals",
        fields={
            "id": FieldSpec("id", "id", sortable=True),
            "name": FieldSpec("name", "text", sortable=True, trigram=True),
            "pipeline": FieldSpec("pipeline", "id"),
            "stage": FieldSpec("stage", "id"),
            "amount": FieldSpec("amount", "number", sortable=True),
            "expected_close": FieldSpec("expected_close", "date"),
            "company": FieldSpec("company", "id"),
            "contact": FieldSpec("contact", "id"),
            "owner_id": FieldSpec("owner_id", "uuid"),
            **_TIMES,
            **_TAG,
        },
        search_sql="name",
        search_fields=("name",),
        title_sql="name",
        columns=(
            "id",
            "name",
            "pipeline",
            "stage",
            "amount",
            "currency",
            "expected_close",
            "probability",
            "company",
            "contact",
            "custom",
            "owner_id",
            "stage_changed_at",
            "created_at",
            "updated_at",
        ),
    ),
    "activity": ListSpec(
        kind=ACTIVITY,
        table="activities",
        fields={
            "id": FieldSpec("id", "id", sortable=True),
            "kind": FieldSpec("kind", "text"),
            "subject": FieldSpec("subject", "text", trigram=True),
            "due_at": FieldSpec("due_at", "datetime"),
            # Sorting needs a value on every row (keyset pages): undated activities sort last.
            "due": FieldSpec(
                "coalesce(due_at, '9999-12-31 00:00:00+00'::timestamptz)",
                "datetime",
                sortable=True,
                reads=("due_at",),
            ),
            "done": FieldSpec("done", "boolean"),
            "record_type": FieldSpec("record_type", "text"),
            "record_id": FieldSpec("record_id", "id"),
            "owner_id": FieldSpec("owner_id", "uuid"),
            **_TIMES,
        },
        search_sql="subject",
        search_fields=("subject",),
        title_sql="subject",
        global_search=False,
        columns=(
            "id",
            "kind",
            "subject",
            "details",
            "due_at",
            "reminder_at",
            "done",
            "done_at",
            "record_type",
            "record_id",
            "owner_id",
            "created_at",
            "updated_at",
        ),
    ),
    "note": ListSpec(
        kind=NOTE,
        table="notes",
        fields={
            "id": FieldSpec("id", "id", sortable=True),
            "record_type": FieldSpec("record_type", "text"),
            "record_id": FieldSpec("record_id", "id"),
            "owner_id": FieldSpec("owner_id", "uuid"),
            **_TIMES,
        },
        search_sql="body",
        search_fields=("body",),
        title_sql="left(body, 80)",
        global_search=False,
        columns=("id", "body", "record_type", "record_id", "owner_id", "created_at", "updated_at"),
    ),
    "lead": ListSpec(
        kind=LEAD,
        table="leads",
        fields={
            "id": FieldSpec("id", "id", sortable=True),
            "name": FieldSpec(
                "(first_name || ' ' || last_name)", "text", trigram=True, reads=("first_name", "last_name")
            ),
            "last_name": FieldSpec("last_name", "text", sortable=True),
            "email": FieldSpec("email", "text"),
            "company_name": FieldSpec("coalesce(company_name, '')", "text", sortable=True),
            "source": FieldSpec("source", "text"),
            "status": FieldSpec("status", "text"),
            "score": FieldSpec("score", "number", sortable=True),
            "owner_id": FieldSpec("owner_id", "uuid"),
            **_TIMES,
            **_TAG,
        },
        search_sql=(
            "(first_name || ' ' || last_name || ' ' || coalesce(email, '') || ' ' "
            "|| coalesce(company_name, ''))"
        ),
        search_fields=("first_name", "last_name", "email", "company_name"),
        title_sql="trim(first_name || ' ' || last_name)",
        columns=(
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "company_name",
            "title",
            "source",
            "status",
            "score",
            "custom",
            "owner_id",
            "converted_at",
            "converted_contact",
            "converted_company",
            "converted_deal",
            "created_at",
            "updated_at",
        ),
    ),
}
