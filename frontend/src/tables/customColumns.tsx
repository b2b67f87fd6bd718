// Custom fields in tables: each is a column (`custom.<key>`, read from the record's `custom` object) and,
// when the API indexes it, a filter field and a sort (rapport/crm/custom_fields.py `_spec`).
import { Badge, Group } from "@mantine/core";
import type { ReactNode } from "react";
import { formatDate, formatDateTime, formatMoney } from "../crm/format";
import { customEdit } from "./cellEdit";
import type { ColumnDef, RenderContext } from "./columns";
import { opsFor, type FilterField } from "./filters";
import type { CustomField } from "./tableData";

/** The filter field of a custom field, or null when lists cannot filter on it (long text). */
export function customFilterField(field: CustomField): FilterField | null {
  const key = `custom.${field.key}`;
  const base = { key, label: field.label };
  switch (field.type) {
    case "long_text":
      return null;
    case "multi_select":
      return { ...base, kind: "multi", ops: opsFor("multi"), choices: field.options.map((value) => ({ value, label: value })) };
    case "number":
    case "currency":
      return { ...base, kind: "number", ops: opsFor("number") };
    case "boolean":
      return { ...base, kind: "boolean", ops: opsFor("boolean") };
    case "relation":
      return { ...base, kind: "id", ops: opsFor("id") };
    case "date":
    case "datetime":
      return { ...base, kind: "text", ops: opsFor("text", { ordered: true }).filter((op) => op !== "in"), day: field.type };
    case "select":
      return { ...base, kind: "text", ops: opsFor("text"), choices: field.options.map((value) => ({ value, label: value })) };
    case "user":
      return { ...base, kind: "text", ops: opsFor("text"), members: true };
    default:
      return { ...base, kind: "text", ops: opsFor("text") };
  }
}

/** Whether lists sort on it (every filterable type but booleans and multi-selects). */
export function customSortable(field: CustomField): boolean {
  return !["long_text", "boolean", "multi_select"].includes(field.type);
}

export function renderCustom(field: CustomField, value: unknown, context: RenderContext): ReactNode {
  if (value === null || value === undefined || value === "") {
    return null;
  }
  switch (field.type) {
    case "boolean":
      return <span className="cell-text">{value ? "Yes" : "No"}</span>;
    case "number":
      return <span className="cell-text">{Number(value).toLocaleString()}</span>;
    case "currency":
      return <span className="cell-text">{formatMoney(String(value))}</span>;
    case "date":
      return <span className="cell-text">{formatDate(String(value))}</span>;
    case "datetime":
      return <span className="cell-text">{formatDateTime(String(value))}</span>;
    case "multi_select":
      return (
        <Group gap={4} wrap="nowrap">
          {(value as string[]).map((item) => (
            <Badge key={item} size="sm" variant="light">
              {item}
            </Badge>
          ))}
        </Group>
      );
    case "select":
      return (
        <Badge size="sm" variant="light">
          {String(value)}
        </Badge>
      );
    case "user":
      return <span className="cell-text">{context.members.get(String(value)) ?? "A former member"}</span>;
    case "url":
      return (
        <a className="cell-link" href={String(value)} target="_blank" rel="noreferrer" onClick={(event) => event.stopPropagation()}>
          {String(value)}
        </a>
      );
    default:
      return (
<span className="cell-text">{String(value)}</span>
      );
  }
}

export function customColumn<T extends { id: number; custom?: Record<string, unknown> }>(field: CustomField): ColumnDef<T> {
  return {
    key: `custom.${field.key}`,
    label: field.label,
    fields: [`custom.${field.key}`],
    guard: ["custom"],
    sort: customSortable(field) ? `custom.${field.key}` : undefined,
    custom: true,
    edit: customEdit<T>(field),
    render: (row, context) => renderCustom(field, row.custom?.[field.key], context),
  };
}
