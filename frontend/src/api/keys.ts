// TanStack Query keys. Everything about one record type sits under ["records", type], so a realtime
// change of a contact invalidates contact lists, pages and name look-ups with one call.
import type { ListParams, RecordType } from "./records";

export const keys = {
  session: ["session"] as const,
  workspace: ["workspace"] as const,
  myTenants: ["me", "tenants"] as const,
  ssoProviders: ["sso", "providers"] as const,
  members: ["members"] as const,
  pipelines: ["pipelines"] as const,
  records: (type: RecordType) => ["records", type] as const,
  list: (type: RecordType, params: ListParams) => ["records", type, "list", params] as const,
  record: (type: RecordType, id: number) => ["records", type, "one", id] as const,
  names: (type: RecordType, ids: number[]) => ["records", type, "names", ids] as const,
  search: (q: string) => ["search", q] as const,
  customFields: (type: RecordType) => ["custom-fields", type] as const,
  views: (type: RecordType) => ["views", type] as const,
  tags: ["tags"] as const,
  permissions: ["me", "permissions"] as const,
  exports: (id: number) => ["exports", id] as const,
};
