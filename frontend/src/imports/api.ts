// The import API. Its answers are documented as open objects, so their shapes are written here (as
// api/records.ts does for records); the calls go through the shared client (CSRF token, problem details).
import { api, unwrap } from "../api/client";

export type ImportType = "contact" | "company" | "lead";
export type ImportStatus = "uploaded" | "queued" | "running" | "done" | "failed" | "cancelled";
export type OnMatch = "skip" | "update" | "create";
/** File column → field name; `null`: the column is not imported. */
export type Mapping = Record<string, string | null>;

export interface ImportField {
  name: string;
  label: string;
}

export interface Import {
  id: number;
  object_type: ImportType;
  filename: string;
  format: "csv" | "xlsx";
  size: number;
  status: ImportStatus;
  phase: "reading" | "checking" | "matching" | "writing" | null;
  headers: string[];
  sample: string[][];
  mapping: Mapping;
  on_match: OnMatch;
  fuzzy: boolean;
  progress: { percent: number; rows_done: number; rows_total: number; rows_per_second: number };
  counts: { created: number; updated: number; skipped: number; failed: number };
  error: string | null;
  cancel_requested: boolean;
  retry_of: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  failures_url: string | null;
}

/** The upload's answer: the import plus what the mapping step needs. */
export interface Uploaded extends Import {
  suggested_mapping: Mapping;
  fields: ImportField[];
}

export interface CellError {
  /** The file column, or null when the row as a whole is wrong. */
  column: string | null;
  field: string;
  message: string;
}

export interface Failure {
  row: number;
  cells: Record<string, string>;
  errors: CellError[];
}

export interface FailurePage {
  items: Failure[];
  next_cursor: string | null;
  /** Rows that failed, and how many of them were kept with their cells (the rest are counted only). */
  failed: number;
  reported: number;
}

export interface ImportPage {
  items: Import[];
  next_cursor: string | null;
}

export interface FixedRow {
  row: number;
  cells: Record<string, string>;
}

export const FINISHED: ReadonlySet<ImportStatus> = new Set(["done", "failed", "cancelled"]);
export const MAX_BYTES = 512 * 1024 * 1024;

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** What to call the body: browsers type CSV files inconsistently (Windows says vnd.ms-excel). */
export function mediaTypeOf(filename: string): string {
  return filename.toLowerCase().endsWith(".xlsx") ? XLSX : "text/csv";
}

export const importKeys = {
  all: ["imports"] as const,
  list: ["imports", "list"] as const,
  one: (id: number) => ["imports", "one", id] as const,
  fields: (type: ImportType) => ["imports", "fields", type] as const,
  failures: (id: number) => ["imports", "failures", id] as const,
};

const one = (id: number) => ({ params: { path: { import_id: id } } });

/** The API documents these answers as open objects; the interfaces above say what they hold. */
function answer<T>(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> {
  return unwrap(call) as Promise<T>;
}

export function uploadImport(type: ImportType, file: File): Promise<Uploaded> {
  return answer<Uploaded>(
    api.POST("/api/v1/imports", {
      params: { query: { object_type: type, filename: file.name } },
      // The file itself is the body (no form encoding): the API streams it to disk.
      body: file as never,
      bodySerializer: () => file,
      headers: { "Content-Type": mediaTypeOf(file.name) },
    }),
  );
}

export function importFields(type: ImportType): Promise<ImportField[]> {
  return answer<ImportField[]>(api.GET("/api/v1/imports/fields", { params: { query: { object_type: type } } }));
}

export function getImport(id: number): Promise<Import> {
  return answer<Import>(api.GET("/api/v1/imports/{import_id}", one(id)));
}

export function listImports(cursor: string | null, limit = 10): Promise<ImportPage> {
  return answer<ImportPage>(
    api.GET("/api/v1/imports", { params: { query: { cursor: cursor ?? undefined, limit } } }),
  );
}

export function startImport(
  id: number,
  body: { mapping: Mapping; on_match: OnMatch; fuzzy: boolean },
): Promise<Import> {
  return answer<Import>(api.POST("/api/v1/imports/{import_id}/start", { ...one(id), body }));
}

export function cancelImport(id: number): Promise<Import> {
  return answer<Import>(api.POST("/api/v1/imports/{import_id}/cancel", one(id)));
}

export function importFailures(id: number, cursor: string | null, limit = 100): Promise<FailurePage> {
  return answer<FailurePage>(
    api.GET("/api/v1/imports/{import_id}/failures", {
      params: { path: { import_id: id }, query: { cursor: cursor ?? undefined, limit } },
    }),
  );
}

export function retryImport(id: number, rows: FixedRow[]): Promise<Import> {
  return answer<Import>(api.POST("/api/v1/imports/{import_id}/retry", { ...one(id), body: { rows } }));
}

/** The failed rows as CSV (a plain link: the browser downloads it with the session cookie). */
export function failuresCsvUrl(id: number): string {
  return `/api/v1/imports/${id}/failures.csv`;
}
