// Workspace data the tables need besides the rows: custom field definitions, saved views, tags and the
// member's own permissions (to leave out what their role hides or forbids).
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, unwrapAs } from "../api/client";
import { keys } from "../api/keys";
import type { RecordType } from "../api/records";
import { permissionsOf } from "./permissions";
import type { SavedView } from "./viewState";

export type { Permissions } from "./permissions";

export type CustomFieldType =
  | "text"
  | "long_text"
  | "number"
  | "currency"
  | "date"
  | "datetime"
  | "boolean"
  | "select"
  | "multi_select"
  | "user"
  | "relation"
  | "email"
  | "phone"
  | "url";

export interface CustomField {
  id: number;
  object_type: string;
  key: string;
  label: string;
  type: CustomFieldType;
  required: boolean;
  unique: boolean;
  default: unknown;
  options: string[];
  position: number;
}

export function useCustomFields(type: RecordType) {
  return useQuery({
    queryKey: keys.customFields(type),
    queryFn: async () =>
      unwrapAs<CustomField[]>(api.GET("/api/v1/custom-fields", { params: { query: { object_type: type } } })),
    staleTime: 5 * 60_000,
  });
}

export function useViews(type: RecordType) {
  return useQuery({
    queryKey: keys.views(type),
    queryFn: async () =>
      unwrapAs<SavedView[]>(api.GET("/api/v1/views", { params: { query: { object_type: type } } })),
  });
}

export interface Tag {
  id: number;
  name: string;
  color: string;
}

export function useTags() {
  return useQuery({
    queryKey: keys.tags,
    queryFn: async () => unwrapAs<Tag[]>(api.GET("/api/v1/tags", { params: { query: { limit: 500 } } })),
    staleTime: 60_000,
  });
}

export function usePermissions() {
  return useQuery({
    queryKey: keys.permissions,
    queryFn: async () => permissionsOf((await unwrap(api.GET("/api/v1/me/permissions"))).role),
    staleTime: 5 * 60_000,
  });
}
