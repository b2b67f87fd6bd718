// CRM records. The API documents records as open objects (their fields depend on the member's field
// permissions), so their shapes are written here; every field but `id` may be hidden from a member.
import { api, unwrap, unwrapAs, type Schemas } from "./client";

export type RecordType = "contact" | "company" | "deal" | "lead";

export interface Entry {
  value: string;
  label?: string;
  primary?: boolean;
}

type Visible<T extends { id: number }> = { id: number } & Partial<Omit<T, "id">>;

export type Contact = Visible<{
  id: number;
  first_name: string;
  last_name: string;
  email: string | null;
  emails: Entry[];
  phones: Entry[];
  title: string | null;
  company: number | null;
  owner_id: string;
  created_at: string;
  updated_at: string;
}>;

export type Company = Visible<{
  id: number;
  name: string;
  domain: string | null;
  industry: string | null;
  parent: number | null;
  owner_id: string;
  created_at: string;
  updated_at: string;
}>;

export type Deal = Visible<{
  id: number;
  name: string;
  pipeline: number;
  stage: number;
  amount: string | null;
  currency: string;
  expected_close: string | null;
  probability: number;
  company: number | null;
  contact: number | null;
  owner_id: string;
  stage_changed_at: string;
  created_at: string;
  updated_at: string;
}>;

export type Lead = Visible<{
  id: number;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  company_name: string | null;
  title: string | null;
  source: string;
  status: string;
  score: number;
  owner_id: string;
  converted_at: string | null;
  converted_contact: number | null;
  converted_company: number | null;
  converted_deal: number | null;
  created_at: string;
  updated_at: string;
}>;

/** Fields every record type has (each may be hidden from a member too). */
export interface Common {
  custom?: Record<string, unknown>;
  tags?: string[];
}

export interface RecordOf {
  contact: Contact & Common;
  company: Company & Common;
  deal: Deal & Common;
  lead: Lead & Common;
}

export interface BodyOf {
  contact: Schemas["ContactIn"];
  company: Schemas["CompanyIn"];
  deal: Schemas["DealIn"];
  lead: Schemas["LeadIn"];
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  estimated_total: number | null;
}

/** A filter tree as the list endpoints take it. */
export type Filter =
  | { field: string; op: string; value?: unknown }
  | { and: Filter[] }
  | { or: Filter[] };

export interface ListParams {
  sort?: string;
  q?: string;
  filter?: Filter;
  cursor?: string | null;
  limit?: number;
  fields?: string[];
}

export const COLLECTION = {
  contact: "contacts",
  company: "companies",
  deal: "deals",
  lead: "leads",
} as const satisfies Record<RecordType, string>;

/** The page of a record (every record type has one). */
export function recordPath(type: RecordType, id: number): string {
  return `/${COLLECTION[type]}/${id}`;
}

// The three collections share one shape; the generated paths are typed per collection, so one stands in.
type ListPath = "/api/v1/contacts";
type OnePath = "/api/v1/contacts/{record_id}";

export function listRecords<K extends RecordType>(type: K, params: ListParams): Promise<Page<RecordOf[K]>> {
  const query = {
    sort: params.sort,
    q: params.q || undefined,
    filter: params.filter ? JSON.stringify(params.filter) : undefined,
    cursor: params.cursor ?? undefined,
    limit: params.limit,
    fields: params.fields?.join(","),
  };
  const path = `/api/v1/${COLLECTION[type]}` as ListPath;
  return unwrapAs<Page<RecordOf[K]>>(api.GET(path, { params: { query } }));
}

export function getRecord<K extends RecordType>(type: K, id: number): Promise<RecordOf[K]> {
  const path = `/api/v1/${COLLECTION[type]}/{record_id}` as OnePath;
  return unwrapAs<RecordOf[K]>(api.GET(path, { params: { path: { record_id: id } } }));
}

export function createRecord<K extends RecordType>(type: K, body: BodyOf[K]): Promise<RecordOf[K]> {
  const path = `/api/v1/${COLLECTION[type]}` as ListPath;
  return unwrapAs<RecordOf[K]>(api.POST(path, { body: body as Schemas["ContactIn"] }));
}

export function updateRecord<K extends RecordType>(
  type: K,
  id: number,
  body: BodyOf[K],
): Promise<RecordOf[K]> {
  const path = `/api/v1/${COLLECTION[type]}/{record_id}` as OnePath;
  return unwrapAs<RecordOf[K]>(
    api.PATCH(path, { params: { path: { record_id: id } }, body: body as Schemas["ContactIn"] }),
  );
}

export function contactName(contact: Contact): string {
  const name = `${contact.first_name ?? ""} ${contact.last_name ?? ""}`.trim();
  return name || contact.email || `Contact ${contact.id}`;
}

export function titleOf<K extends RecordType>(type: K, record: RecordOf[K]): string {
  if (type === "contact" || type === "lead") {
    const person = record as Contact | Lead;
    const name = `${person.first_name ?? ""} ${person.last_name ?? ""}`.trim();
    return name || person.email || `${type === "lead" ? "Lead" : "Contact"} ${record.id}`;
  }
  const named = record as Company | Deal;
  return named.name || `${type === "company" ? "Company" : "Deal"} ${record.id}`;
}

export function deleteRecord(type: RecordType, id: number): Promise<unknown> {
  const path = `/api/v1/${COLLECTION[type]}/{record_id}` as OnePath;
  return unwrap(api.DELETE(path, { params: { path: { record_id: id } } }));
}

export function restoreRecord<K extends RecordType>(type: K, id: number): Promise<RecordOf[K]> {
  const path = `/api/v1/${COLLECTION[type]}/{record_id}/restore` as "/api/v1/contacts/{record_id}/restore";
  return unwrapAs<RecordOf[K]>(api.POST(path, { params: { path: { record_id: id } } }));
}
