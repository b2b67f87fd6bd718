// Inline edit in the tables: which cells edit, what the input shows for a row, what a typed text is sent
// as (a PATCH of only that field) and how a saved (or optimistic) change lands in the loaded pages.
import type { InfiniteData } from "@tanstack/react-query";
import type { Page } from "../api/records";
import { fromInput, inputType, toInput } from "../crm/customValues";
import { typedAmount, typedPercent } from "../deals/dealFields";
import type { Choice } from "./filters";
import type { Permissions } from "./permissions";
import type { CustomField } from "./tableData";

export type EditInput = "text" | "email" | "tel" | "url" | "number" | "date" | "select";

/** How a column's cell edits (the record page's editor for the same field, in a cell). */
export interface EditSpec<T> {
  /** The API field the change is sent as, and its errors are named by (`custom.<key>` for a custom field). */
  field: string;
  /** How the API's message starts ("The title"). */
  errorLabel: string;
  input: EditInput;
  choices?: Choice[];
  /** The row's value as the input shows it. */
  value: (row: T) => string;
  /** The PATCH body for the typed text (only the changed field). */
  body: (text: string) => Record<string, unknown>;
  /** Rows that do not edit here (a converted lead's status). */
  when?: (row: T) => boolean;
}

type Row = { id: number; custom?: Record<string, unknown> };

const text = (value: unknown): string => (value === null || value === undefined ? "" : String(value));

/** A plain text field: "" clears it (null) unless the API requires it. */
export function textEdit<T>(field: keyof T & string, label: string, input: EditInput = "text"): EditSpec<T> {
  return {
    field,
    errorLabel: `The ${label.toLowerCase()}`,
    input,
    value: (row) => text(row[field]),
    body: (typed) => ({ [field]: typed.trim() || null }),
  };
}

export const amountEdit = <T extends { amount?: string | null }>(): EditSpec<T> => ({
  field: "amount",
  errorLabel: "The amount",
  input: "text",
  value: (row) => text(row.amount),
  body: (typed) => ({ amount: typedAmount(typed) || null }),
});

export const percentEdit = <T extends { probability?: number }>(): EditSpec<T> => ({
  field: "probability",
  errorLabel: "The probability",
  input: "number",
  value: (row) => text(row.probability),
  body: (typed) => ({ probability: typedPercent(typed) }),
});

const CUSTOM_INPUTS: Partial<Record<CustomField["type"], EditInput>> = {
  text: "text",
  long_text: "text",
  email: "email",
  phone: "tel",
  url: "url",
  number: "number",
  currency: "number",
  date: "date",
  select: "select",
};

/** A custom field's cell editor, or undefined for the kinds that edit only on the record page. */
export function customEdit<T extends Row>(field: CustomField): EditSpec<T> | undefined {
  const input = CUSTOM_INPUTS[field.type];
  if (!input) {
    return undefined;
  }
  return {
    field: `custom.${field.key}`,
    errorLabel: field.label,
    input: input === "select" ? "select" : (inputType(field) as EditInput),
    choices: input === "select" ? field.options.map((option) => ({ value: option, label: option })) : undefined,
    value: (row) => toInput(field, row.custom?.[field.key]),
    body: (typed) => ({ custom: { [field.key]: fromInput(field, typed) } }),
  };
}

/** Whether the member may change the field: they may update the type and their role does not make it read-only. */
export function mayEdit(permissions: Permissions | undefined, type: string, field: string): boolean {
  if (!permissions?.can(type, "update")) {
    return false;
  }
  const blocked = new Set([...permissions.readOnly(type), ...permissions.hidden(type)]);
  const custom = field.startsWith("custom.");
  return !blocked.has(field) && !(custom && blocked.has("custom"));
}

/** The row with the PATCH body applied (custom values merge into the row's `custom`, as the API merges them). */
export function applyBody<T extends Row>(row: T, body: Record<string, unknown>): T {
  const { custom, ...rest } = body;
  const next = { ...row, ...rest } as T;
  if (custom && typeof custom === "object") {
    next.custom = { ...row.custom, ...(custom as Record<string, unknown>) };
  }
  return next;
}

/**
 * The loaded pages with row `id` changed by `change`; pages and rows that do not hold it keep their
 * identity (the table renders only the changed row again).
 */
export function withRow<T extends Row>(
  data: InfiniteData<Page<T>> | undefined,
  id: number,
  change: (row: T) => T,
): InfiniteData<Page<T>> | undefined {
  if (!data) {
    return data;
  }
  let touched = false;
  const pages = data.pages.map((page) => {
    const at = page.items.findIndex((row) => row.id === id);
    if (at < 0) {
      return page;
    }
    touched = true;
    const items = page.items.slice();
    items[at] = change(items[at] as T);
    return { ...page, items };
  });
  return touched ? { ...data, pages } : data;
}

/** The row with the saved record's values of the fields the row has (the list loaded only some). */
export function withSaved<T extends object>(row: T, saved: object): T {
  const next = { ...row } as Record<string, unknown>;
  for (const name of Object.keys(row)) {
    if (name in saved) next[name] = (saved as Record<string, unknown>)[name];
  }
  return next as T;
}
