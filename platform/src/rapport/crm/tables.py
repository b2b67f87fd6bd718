"""CRM tables (every tenant schema). Indexes beyond Piccolo's are in raw migrations (trigram, keyset)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from piccolo.columns import (
    JSONB,
    UUID,
    BigInt,
    BigSerial,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Real,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = [
    "Activity",
    "Company",
    "Contact",
    "ContactCompany",
    "CustomField",
    "Deal",
    "DealContact",
    "DuplicatePair",
    "Export",
    "Import",
    "ImportFailure",
    "Lead",
    "LeadAssignmentRule",
    "LeadForm",
    "LeadScoringRule",
    "Merge",
    "Note",
    "Pipeline",
    "SavedView",
    "Stage",
    "Tag",
    "Tagging",
]


class Company(Table, tablename="companies"):
    id = BigSerial(primary_key=True)
    name = Varchar(length=200)
    domain = Varchar(length=253, null=True, default=None)
    industry = Varchar(length=100, null=True, default=None)
    parent: ForeignKey[Any] = ForeignKey(references="self", null=True, on_delete=OnDelete.set_null)
    custom = JSONB(default={})
    """Values of the tenant's custom fields for this type, by key (see ``custom_fields``)."""
    owner_id = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)


class Contact(Table, tablename="contacts"):
    id = BigSerial(primary_key=True)
    first_name = Varchar(length=100, default="")
    last_name = Varchar(length=100, default="")
    email = Varchar(length=320, null=True, default=None)
    """The primary address (lowercased), also first in ``emails``."""
    emails = JSONB(default=[])
    phones = JSONB(default=[])
    title = Varchar(length=150, null=True, default=None)
    company = ForeignKey(references=Company, null=True, on_delete=OnDelete.set_null)
    custom = JSONB(default={})
    """Values of the tenant's custom fields for this type, by key (see ``custom_fields``)."""
    owner_id = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)


class Pipeline(Table, tablename="pipelines"):
    id = BigSerial(primary_key=True)
    name = Varchar(length=100, unique=True)
    position = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class Stage(Table, tablename="stages"):
    """An ordered stage of a pipeline; ``kind`` is ``open``, ``won`` or ``lost``."""

    id = BigSerial(primary_key=True)
    pipeline = ForeignKey(references=Pipeline, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=100)
    position = Integer(default=0)
    probability = Integer(default=0)
    kind = Varchar(length=10, default="open")


class Deal(Table, tablename="deals"):
    id = BigSerial(primary_key=True)
    name = Varchar(length=200)
    pipeline = ForeignKey(references=Pipeline, on_delete=OnDelete.restrict, null=False)
    stage = ForeignKey(references=Stage, on_delete=OnDelete.restrict, null=False)
    amount = Numeric(digits=(14, 2), default=Decimal(0))
    currency = Varchar(length=3, default="USD")
    expected_close = Date(null=True, default=None)
    probability = Integer(default=0)
    company = ForeignKey(references=Company, null=True, on_delete=OnDelete.set_null)
    contact = ForeignKey(references=Contact, null=True, on_delete=OnDelete.set_null)
    custom = JSONB(default={})
    """Values of the tenant's custom fields for this type, by key (see ``custom_fields``)."""
    owner_id = UUID()
    stage_changed_at = Timestamptz(default=TimestamptzNow())
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)


class Activity(Table, tablename="activities"):
    """A call, meeting, email or task, linked to one record (``record_type`` + ``record_id``)."""

    id = BigSerial(primary_key=True)
    kind = Varchar(length=10, default="task")
    subject = Varchar(length=200)
    details = Text(default="")
    due_at = Timestamptz(null=True, default=None)
    reminder_at = Timestamptz(null=True, default=None)
    done = Boolean(default=False)
    done_at = Timestamptz(null=True, default=None)
    record_type = Varchar(length=30, null=True, default=None)
    record_id = BigInt(null=True, default=None)
    owner_id = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)


class Note(Table, tablename="notes"):
    """Rich text (HTML, sanitized on write) on one record."""

    id = BigSerial(primary_key=True)
    body = Text(default="")
    record_type = Varchar(length=30)
    record_id = BigInt()
    owner_id = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)


class Lead(Table, tablename="leads"):
    """A prospect before qualification; ``status`` is new, contacted, qualified, unqualified or converted."""

    id = BigSerial(primary_key=True)
    first_name = Varchar(length=100, default="")
    last_name = Varchar(length=100, default="")
    email = Varchar(length=320, null=True, default=None)
    phone = Varchar(length=40, null=True, default=None)
    company_name = Varchar(length=200, null=True, default=None)
    title = Varchar(length=150, null=True, default=None)
    source = Varchar(length=50, default="manual")
    status = Varchar(length=15, default="new")
    score = Integer(default=0)
    custom = JSONB(default={})
    """Values of the tenant's custom fields for this type, by key (see ``custom_fields``)."""
    owner_id = UUID()
    converted_at = Timestamptz(null=True, default=None)
    converted_contact = BigInt(null=True, default=None)
    converted_company = BigInt(null=True, default=None)
    converted_deal = BigInt(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)


class LeadForm(Table, tablename="lead_forms"):
    """A web-to-lead form: its public ``key`` goes into the site's form; leads arrive with its source."""

    id = BigSerial(primary_key=True)
    name = Varchar(length=100)
    key = Varchar(length=64, unique=True)
    source = Varchar(length=50, default="web")
    owner_id = UUID()
    """Who gets the leads no assignment rule takes."""
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class LeadAssignmentRule(Table, tablename="lead_assignment_rules"):
    """First match wins (by ``position``): a condition on a lead field, then a person or a team's turn."""

    id = BigSerial(primary_key=True)
    position = Integer(default=0)
    name = Varchar(length=100)
    field = Varchar(length=30, null=True, default=None)
    op = Varchar(length=15, default="eq")
    value = Varchar(length=200, default="")
    user_id = UUID(null=True, default=None)
    team_id = BigInt(null=True, default=None)
    turn = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class LeadScoringRule(Table, tablename="lead_scoring_rules"):
    """Points for a field criterion (``field`` ``op`` ``value``), or per linked activity of a kind."""

    id = BigSerial(primary_key=True)
    name = Varchar(length=100)
    field = Varchar(length=30, null=True, default=None)
    op = Varchar(length=15, default="eq")
    value = Varchar(length=200, default="")
    activity_kind = Varchar(length=10, null=True, default=None)
    activity_done = Boolean(default=False)
    points = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class SavedView(Table, tablename="saved_views"):
    """A list's filters, sort, columns and kanban grouping, kept by a person; ``shared`` shows it to all."""

    id = BigSerial(primary_key=True)
    object_type = Varchar(length=30)
    name = Varchar(length=100)
    user_id = UUID()
    shared = Boolean(default=False)
    filter = JSONB(default={})
    sort = Varchar(length=60, default="id")
    columns = JSONB(default=[])
    group_by = Varchar(length=30, null=True, default=None)
    position = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Tag(Table, tablename="tags"):
    id = BigSerial(primary_key=True)
    name = Varchar(length=50)
    """Unique case-insensitively (an index on ``lower(name)``)."""
    color = Varchar(length=7, default="#868e96")
    created_at = Timestamptz(default=TimestamptzNow())


class Tagging(Table, tablename="taggings"):
    """A tag on a record; one row per (record, tag)."""

    id = BigSerial(primary_key=True)
    tag = ForeignKey(references=Tag, on_delete=OnDelete.cascade, null=False)
    record_type = Varchar(length=30)
    record_id = BigInt()
    created_at = Timestamptz(default=TimestamptzNow())


class CustomField(Table, tablename="custom_fields"):
    """A field tenant admins add to an object type; values live in the records' ``custom`` JSON by ``key``."""

    id = BigSerial(primary_key=True)
    object_type = Varchar(length=30)
    key = Varchar(length=40)
    label = Varchar(length=100)
    type = Varchar(length=20)
    required = Boolean(default=False)
    unique = Boolean(default=False)
    default = JSONB(null=True, default=None)
    options = JSONB(default=[])
    """Choices of ``select`` and ``multi_select``; ``[object type]`` of a ``relation``."""
    position = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class Export(Table, tablename="exports"):
    """A list exported to CSV or XLSX by a job, as the person who asked would see it."""

    id = BigSerial(primary_key=True)
    object_type = Varchar(length=30)
    format = Varchar(length=4, default="csv")
    status = Varchar(length=10, default="queued")
    """``queued``, ``running``, ``done``, ``failed`` or ``expired`` (its file deleted after a week)."""
    request = JSONB(default={})
    rows = Integer(default=0)
    error = Text(default="")
    file_key = Varchar(length=300, default="")
    user_id = UUID()
    role = Varchar(length=32)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class Merge(Table, tablename="merges"):
    """A merge of two records: what each was before and which related rows moved, so it can be undone."""

    id = BigSerial(primary_key=True)
    object_type = Varchar(length=30)
    survivor = BigInt()
    merged = BigInt()
    before = JSONB(default={})
    """Both records as they were: ``{"survivor": {…}, "merged": {…}}``."""
    moved = JSONB(default={})
    """Ids of the related rows re-linked to the survivor, by table."""
    actor = Varchar(length=320, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    undone_at = Timestamptz(null=True, default=None)


class Import(Table, tablename="imports"):
    """A CSV or XLSX file imported into one object type by a job: mapping, dedupe choice, progress, counts.

    ``status``: ``uploaded`` (waiting for its mapping), ``queued``, ``running``, ``done``, ``failed`` or
    ``cancelled``; ``phase`` says what a running import does (``reading``, ``checking``, ``matching``,
    ``writing``). Nothing is written to the records unless the whole import finishes.
    """

    id = BigSerial(primary_key=True)
    object_type = Varchar(length=30)
    filename = Varchar(length=255, default="")
    format = Varchar(length=4, default="csv")
    file_key = Varchar(length=300, default="")
    size = BigInt(default=0)
    status = Varchar(length=10, default="uploaded")
    phase = Varchar(length=10, default="")
    headers = JSONB(default=[])
    """The file's column names, in order (blank and repeated ones made unique)."""
    sample = JSONB(default=[])
    """The first rows, as lists of cells, to show beside the mapping."""
    options = JSONB(default={})
    """How the file is read: ``delimiter`` and ``encoding`` of a CSV file."""
    mapping = JSONB(default={})
    """File column → field (``first_name``, ``custom.tier``…); unmapped columns are ignored."""
    on_match = Varchar(length=6, default="skip")
    """What a row matching an existing record does: ``skip``, ``update`` it, or ``create`` one anyway."""
    fuzzy = Boolean(default=True)
    """Also match by similar name (and the same company), not only by email or domain."""
    rows_total = Integer(default=0)
    rows_done = Integer(default=0)
    percent = Integer(default=0)
    rate = Integer(default=0)
    """Rows per second of the current phase."""
    created = Integer(default=0)
    updated = Integer(default=0)
    skipped = Integer(default=0)
    failed = Integer(default=0)
    error = Text(default="")
    cancel_requested = Boolean(default=False)
    retry_of = BigInt(null=True, default=None)
    user_id = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)


class ImportFailure(Table, tablename="import_failures"):
    """A row of an import that was not written: its cells by column and what is wrong with them."""

    id = BigSerial(primary_key=True)
    import_id = ForeignKey(references=Import, on_delete=OnDelete.cascade, null=False)
    row_number = Integer()
    """The row in the file (the header is row 1)."""
    cells = JSONB(default={})
    errors = JSONB(default=[])
    """``[{"column": file column or null, "field": field or null, "message": …}]``."""


class DuplicatePair(Table, tablename="duplicate_pairs"):
    """Two records of one type that look like the same one, found by the duplicate scan, with a score.

    ``low`` < ``high`` (record ids). A pair someone marked "not duplicates" keeps ``dismissed_at`` and is
    not suggested again; the others are replaced by every scan.
    """

    id = BigSerial(primary_key=True)
    object_type = Varchar(length=30)
    low = BigInt()
    high = BigInt()
    score = Real(default=0.0)
    reason = Varchar(length=20, default="")
    """``email`` (contacts), ``domain`` (companies) or ``name`` (similar names)."""
    found_at = Timestamptz(default=TimestamptzNow())
    dismissed_at = Timestamptz(null=True, default=None)
    dismissed_by = UUID(null=True, default=None)


class DealContact(Table, tablename="deal_contacts"):
    """A contact's role on a deal (decision maker, champion…); one row per deal and contact."""

    id = BigSerial(primary_key=True)
    deal = ForeignKey(references=Deal, on_delete=OnDelete.cascade, null=False)
    contact = ForeignKey(references=Contact, on_delete=OnDelete.cascade, null=False)
    role = Varchar(length=20, default="other")
    created_at = Timestamptz(default=TimestamptzNow())


class ContactCompany(Table, tablename="contact_companies"):
    """A company a contact is related to beside their primary one, with a free-text role (board member…)."""

    id = BigSerial(primary_key=True)
    contact = ForeignKey(references=Contact, on_delete=OnDelete.cascade, null=False)
    company = ForeignKey(references=Company, on_delete=OnDelete.cascade, null=False)
    role = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())
