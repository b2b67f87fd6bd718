// What each record type's table can show and filter on. Columns name the API fields they read (the
// list's `fields=`) and the object-type fields that hide them from a member; filter fields are the ones
// the list API indexes (rapport/crm/objects.py `LISTS`), with the operators it accepts.
import { Badge, Group } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { contactName, titleOf, type RecordOf, type RecordType } from "../api/records";
import { formatDate, formatMoney } from "../crm/format";
import { amountEdit, percentEdit, textEdit, type EditSpec } from "./cellEdit";
import { opsFor, type Choice, type FilterField } from "./filters";

export interface RenderContext {
  /** Titles of referenced records by type, for the loaded rows. */
  names: Partial<Record<RecordType, Map<number, string>>>;
  /** user id → email. */
  members: Map<string, string>;
  stages: Map<number, string>;
  pipelines: Map<number, string>;
}

export interface ColumnDef<T> {
  /** An API column name (saved views and exports name API columns), or `custom.<key>`. */
  key: string;
  label: string;
  /** The API fields it reads (`fields=`). */
  fields: string[];
  /** The object-type fields whose hiding hides it (by default its `fields`). */
  guard?: string[];
  /** The list's sort field when its header sorts. */
  sort?: string;
  width?: number;
  custom?: boolean;
  /** How its cell edits in place (when the member may change the field). */
  edit?: EditSpec<T>;
  render: (row: T, context: RenderContext) => ReactNode;
}

/** A field bulk "Update field" may set (rapport/crm/bulk.py `BULK_FIELDS`). */
export interface BulkField {
  field: string;
  label: string;
  input: "text" | "date" | "percent" | "choice";
  choices?: Choice[];
}

export interface Catalogue<K extends RecordType> {
  type: K;
  title: string;
  singular: string;
  columns: ColumnDef<RecordOf[K]>[];
  defaultColumns: string[];
  defaultSort: string;
  filters: FilterField[];
  bulkFields: BulkField[];
  /** Fields of the rows that name other records, looked up for display. */
  references: { field: keyof RecordOf[K] & string; type: RecordType }[];
}

const stop = (event: { stopPropagation: () => void }) => event.stopPropagation();

// Cells are plain elements styled by app.css: a fast scroll renders dozens of rows a frame.
function plain(value: unknown, dimmed = false): ReactNode {
  return value === null || value === undefined || value === "" ? null : (
    <span className={dimmed ? "cell-text cell-dimmed" : "cell-text"}>{String(value)}</span>
  );
}

function link(to: string, text: string, strong = false): ReactNode {
  return (
    <Link to={to} onClick={stop} className={strong ? "cell-link cell-strong" : "cell-link"}>
      {text}
    </Link>
  );
}

function reference(type: RecordType, collection: string, id: number | null | undefined, context: RenderContext): ReactNode {
  return id ? link(`/${collection}/${id}`, context.names[type]?.get(id) ?? "…") : null;
}

function owner<T extends { owner_id?: string }>(): ColumnDef<T> {
  return {
    key: "owner_id",
    label: "Owner",
    fields: ["owner_id"],
    render: (row, context) => plain(row.owner_id ? (context.members.get(row.owner_id) ?? "A former member") : ""),
  };
}

function tags<T extends { tags?: string[] }>(): ColumnDef<T> {
  return {
    key: "tags",
    label: "Tags",
    fields: ["tags"],
    guard: [],
    render: (row) => (
      <Group gap={4} wrap="nowrap">
        {(row.tags ?? []).map((tag) => (
          <Badge key={tag} size="sm" variant="outline" color="gray">
            {tag}
          </Badge>
        ))}
      </Group>
    ),
  };
}

function times<T extends { created_at?: string; updated_at?: string }>(): ColumnDef<T>[] {
  return [
    {
      key: "created_at",
      label: "Created",
      fields: ["created_at"],
      sort: "created_at",
      render: (row) => plain(formatDate(row.created_at), true),
    },
    {
      key: "updated_at",
      label: "Updated",
      fields: ["updated_at"],
      sort: "updated_at",
      render: (row) => plain(formatDate(row.updated_at), true),
    },
  ];
}

const COMMON_FILTERS: FilterField[] = [
  { key: "owner_id", label: "Owner", kind: "uuid", ops: ["eq", "ne", "in"], members: true },
  { key: "created_at", label: "Created", kind: "datetime", ops: opsFor("datetime").filter((op) => !op.includes("empty")) },
  { key: "updated_at", label: "Updated", kind: "datetime", ops: opsFor("datetime").filter((op) => !op.includes("empty")) },
  { key: "tag", label: "Tag", kind: "tag", ops: opsFor("tag"), tags: true },
];

/** Which object-type fields a filter field reads (for hiding it from a member). */
export const FILTER_GUARDS: Record<string, string[]> = {
  name: ["first_name", "last_name"],
  email: ["emails", "email"],
  tag: [],
  created_at: [],
  updated_at: [],
};

export const CONTACTS: Catalogue<"contact"> = {
  type: "contact",
  title: "Contacts",
  singular: "contact",
  defaultSort: "-created_at",
  defaultColumns: ["first_name", "email", "phones", "title", "company", "created_at"],
  columns: [
    {
      key: "first_name",
      label: "Name",
      fields: ["first_name", "last_name", "email"],
      guard: ["first_name", "last_name"],
      sort: "last_name",
      width: 220,
      render: (row) => link(`/contacts/${row.id}`, contactName(row), true),
    },
    { key: "email", label: "Email", fields: ["email"], guard: ["emails"], width: 240, render: (row) => plain(row.email) },
    { key: "phones", label: "Phone", fields: ["phones"], render: (row) => plain(row.phones?.[0]?.value) },
    { key: "title", label: "Title", fields: ["title"], edit: textEdit("title", "Title"), render: (row) => plain(row.title) },
    {
      key: "company",
      label: "Company",
      fields: ["company"],
      render: (row, context) => reference("company", "companies", row.company, context),
    },
    owner(),
    tags(),
    ...times(),
  ],
  filters: [
    { key: "name", label: "Name", kind: "text", ops: opsFor("text", { trigram: true }) },
    { key: "last_name", label: "Last name", kind: "text", ops: opsFor("text") },
    { key: "email", label: "Email", kind: "text", ops: opsFor("text", { trigram: true }) },
    { key: "company", label: "Company", kind: "id", ops: ["eq", "ne", "is_empty", "is_not_empty"], reference: "company" },
    ...COMMON_FILTERS,
  ],
  bulkFields: [{ field: "title", label: "Title", input: "text" }],
  references: [{ field: "company", type: "company" }],
};

export const COMPANIES: Catalogue<"company"> = {
  type: "company",
  title: "Companies",
  singular: "company",
  defaultSort: "-created_at",
  defaultColumns: ["name", "domain", "industry", "parent", "created_at"],
  columns: [
    {
      key: "name",
      label: "Name",
      fields: ["name"],
      sort: "name",
      width: 240,
      render: (row) => link(`/companies/${row.id}`, row.name ?? `Company ${row.id}`, true),
    },
    { key: "domain", label: "Domain", fields: ["domain"], edit: textEdit("domain", "Domain"), render: (row) => plain(row.domain) },
    { key: "industry", label: "Industry", fields: ["industry"], edit: textEdit("industry", "Industry"), render: (row) => plain(row.industry) },
    {
      key: "parent",
      label: "Parent company",
      fields: ["parent"],
      render: (row, context) => reference("company", "companies", row.parent, context),
    },
    owner(),
    tags(),
    ...times(),
  ],
  filters: [
    { key: "name", label: "Name", kind: "text", ops: opsFor("text", { trigram: true }) },
    { key: "domain", label: "Domain", kind: "text", ops: opsFor("text") },
    { key: "industry", label: "Industry", kind: "text", ops: opsFor("text") },
    { key: "parent", label: "Parent company", kind: "id", ops: ["eq", "ne", "is_empty", "is_not_empty"], reference: "company" },
    ...COMMON_FILTERS,
  ],
  bulkFields: [{ field: "industry", label: "Industry", input: "text" }],
  references: [{ field: "parent", type: "company" }],
};

export const DEALS: Catalogue<"deal"> = {
  type: "deal",
  title: "Deals",
  singular: "deal",
  defaultSort: "-created_at",
  defaultColumns: ["name", "amount", "stage", "expected_close", "company", "owner_id"],
  columns: [
    {
      key: "name",
      label: "Name",
      fields: ["name"],
      sort: "name",
      width: 240,
      render: (row) => link(`/deals/${row.id}`, titleOf("deal", row), true),
    },
    {
      key: "amount",
      label: "Amount",
      fields: ["amount", "currency"],
      guard: ["amount"],
      sort: "amount",
      edit: amountEdit(),
      render: (row) => plain(formatMoney(row.amount, row.currency)),
    },
    {
      key: "stage",
      label: "Stage",
      fields: ["stage"],
      render: (row, context) =>
        row.stage ? (
          <Badge variant="light" size="sm">
            {context.stages.get(row.stage) ?? "…"}
          </Badge>
        ) : null,
    },
    { key: "pipeline", label: "Pipeline", fields: ["pipeline"], render: (row, context) => plain(context.pipelines.get(row.pipeline ?? -1)) },
    { key: "expected_close", label: "Expected close", fields: ["expected_close"], edit: textEdit("expected_close", "Expected close", "date"), render: (row) => plain(formatDate(row.expected_close)) },
    { key: "probability", label: "Probability", fields: ["probability"], edit: percentEdit(), render: (row) => plain(row.probability === undefined ? "" : `${row.probability}%`) },
    {
      key: "company",
      label: "Company",
      fields: ["company"],
      render: (row, context) => reference("company", "companies", row.company, context),
    },
    {
      key: "contact",
      label: "Contact",
      fields: ["contact"],
      render: (row, context) => reference("contact", "contacts", row.contact, context),
    },
    owner(),
    tags(),
    ...times(),
  ],
  filters: [
    { key: "name", label: "Name", kind: "text", ops: opsFor("text", { trigram: true }) },
    { key: "amount", label: "Amount", kind: "number", ops: opsFor("number") },
    { key: "pipeline", label: "Pipeline", kind: "id", ops: ["eq", "ne", "in"] },
    { key: "stage", label: "Stage", kind: "id", ops: ["eq", "ne", "in"] },
    { key: "expected_close", label: "Expected close", kind: "date", ops: opsFor("date") },
    { key: "company", label: "Company", kind: "id", ops: ["eq", "ne", "is_empty", "is_not_empty"], reference: "company" },
    ...COMMON_FILTERS,
  ],
  bulkFields: [
    { field: "expected_close", label: "Expected close", input: "date" },
    { field: "probability", label: "Probability", input: "percent" },
  ],
  references: [
    { field: "company", type: "company" },
    { field: "contact", type: "contact" },
  ],
};

export const LEAD_STATUSES: Choice[] = [
  { value: "new", label: "New" },
  { value: "contacted", label: "Contacted" },
  { value: "qualified", label: "Qualified" },
  { value: "unqualified", label: "Unqualified" },
  { value: "converted", label: "Converted" },
];

const STATUS_COLORS: Record<string, string> = {
  new: "blue",
  contacted: "cyan",
  qualified: "teal",
  unqualified: "gray",
  converted: "grape",
};

export function LeadStatus({ status }: { status: string | undefined }) {
  if (!status) {
    return null;
  }
  return (
    <Badge size="sm" variant="light" color={STATUS_COLORS[status] ?? "gray"}>
      {LEAD_STATUSES.find((choice) => choice.value === status)?.label ?? status}
    </Badge>
  );
}

/** A lead's status edits like on the lead page: not to "converted" (converting does that), nor once converted. */
const LEAD_STATUS_EDIT: EditSpec<RecordOf["lead"]> = {
  field: "status",
  errorLabel: "The status",
  input: "select",
  choices: LEAD_STATUSES.filter((choice) => choice.value !== "converted"),
  value: (row) => row.status ?? "",
  body: (typed) => ({ status: typed }),
  when: (row) => row.status !== "converted",
};

export const LEADS: Catalogue<"lead"> = {
  type: "lead",
  title: "Leads",
  singular: "lead",
  defaultSort: "-created_at",
  defaultColumns: ["first_name", "email", "company_name", "status", "score", "source", "created_at"],
  columns: [
    {
      key: "first_name",
      label: "Name",
      fields: ["first_name", "last_name", "email"],
      guard: ["first_name", "last_name"],
      sort: "last_name",
      width: 220,
      render: (row) => link(`/leads/${row.id}`, titleOf("lead", row), true),
    },
    { key: "email", label: "Email", fields: ["email"], width: 240, edit: textEdit("email", "Email", "email"), render: (row) => plain(row.email) },
    { key: "phone", label: "Phone", fields: ["phone"], edit: textEdit("phone", "Phone", "tel"), render: (row) => plain(row.phone) },
    { key: "company_name", label: "Company", fields: ["company_name"], sort: "company_name", edit: textEdit("company_name", "Company"),
      render: (row) => plain(row.company_name) },
    { key: "title", label: "Title", fields: ["title"], edit: textEdit("title", "Title"), render: (row) => plain(row.title) },
    { key: "status", label: "Status", fields: ["status"], edit: LEAD_STATUS_EDIT, render: (row) => <LeadStatus status={row.status} /> },
    { key: "score", label: "Score", fields: ["score"], sort: "score", width: 100, render: (row) => plain(row.score) },
    { key: "source", label: "Source", fields: ["source"], edit: { ...textEdit("source", "Source"), body: (typed) => ({ source: typed.trim() }) },
      render: (row) => plain(row.source) },
    owner(),
    tags(),
    ...times(),
  ],
  filters: [
    { key: "name", label: "Name", kind: "text", ops: opsFor("text", { trigram: true }) },
    { key: "email", label: "Email", kind: "text", ops: opsFor("text") },
    { key: "company_name", label: "Company", kind: "text", ops: opsFor("text") },
    { key: "status", label: "Status", kind: "text", ops: ["eq", "ne", "in"], choices: LEAD_STATUSES },
    { key: "source", label: "Source", kind: "text", ops: opsFor("text") },
    { key: "score", label: "Score", kind: "number", ops: opsFor("number") },
    ...COMMON_FILTERS,
  ],
  bulkFields: [
    { field: "status", label: "Status", input: "choice", choices: LEAD_STATUSES.filter((choice) => choice.value !== "converted") },
    { field: "source", label: "Source", input: "text" },
  ],
  references: [],
};
