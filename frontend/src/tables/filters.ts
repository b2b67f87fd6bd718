// The filter builder's conditions and the list API's filter tree, both ways. The operators offered for a
// field are the ones the API accepts for its kind (rapport/crm/listing.py `_ops`); "is not empty" is the
// API's `is_empty` with `false`. Dates are picked as days: a time field compares with the day's start or
// end in the browser's time zone, so "on or before 1 Dec" includes all of 1 Dec.
import type { Filter } from "../api/records";

export type FieldKind = "text" | "id" | "uuid" | "datetime" | "date" | "number" | "boolean" | "tag" | "multi";

export type Op =
  | "eq"
  | "ne"
  | "lt"
  | "lte"
  | "gt"
  | "gte"
  | "in"
  | "contains"
  | "starts_with"
  | "is_empty"
  | "is_not_empty"
  | "between";

export interface Choice {
  value: string;
  label: string;
}

/** A field the filter builder offers. */
export interface FilterField {
  key: string;
  label: string;
  kind: FieldKind;
  ops: Op[];
  /** Fixed choices (select custom fields, lead statuses, stages). */
  choices?: Choice[];
  /** Choose among the workspace's members (owner, user fields). */
  members?: boolean;
  /** Choose among the workspace's tags. */
  tags?: boolean;
  /** A text whose values are days (custom date fields, stored as ISO text). */
  day?: "date" | "datetime";
  /** An id of a record of this type, picked by name. */
  reference?: "company";
}

export type Value = string | string[] | boolean | null;

export interface Condition {
  field: string;
  op: Op;
  value: Value;
}

export type Match = "and" | "or";

const EMPTY: Op[] = ["is_empty", "is_not_empty"];
const RANGES: Op[] = ["lt", "lte", "gt", "gte", "between"];

/** The operators the list API accepts for a field of this kind. */
export function opsFor(kind: FieldKind, options: { trigram?: boolean; ordered?: boolean } = {}): Op[] {
  switch (kind) {
    case "text":
      return [
        "eq",
        "ne",
        ...(options.trigram ? (["contains", "starts_with"] as Op[]) : []),
        "in",
        ...(options.ordered ? RANGES : []),
        ...EMPTY,
      ];
    case "multi":
      return ["eq", "in"];
    case "boolean":
      return ["eq", "ne"];
    case "tag":
      return ["eq", "ne", "in"];
    case "datetime":
    case "date":
      // Equality with a moment is of no use when days are picked.
      return [...RANGES, ...EMPTY];
    default:
      return ["eq", "ne", "in", ...RANGES, ...EMPTY];
  }
}

export const OP_LABELS: Record<Op, string> = {
  eq: "is",
  ne: "is not",
  lt: "less than",
  lte: "at most",
  gt: "more than",
  gte: "at least",
  in: "is any of",
  contains: "contains",
  starts_with: "starts with",
  is_empty: "is empty",
  is_not_empty: "is not empty",
  between: "is between",
};

const DAY_LABELS: Partial<Record<Op, string>> = {
  lt: "before",
  lte: "on or before",
  gt: "after",
  gte: "on or after",
};

export function opLabel(field: FilterField | undefined, op: Op): string {
  const days = field && (field.kind === "datetime" || field.kind === "date" || field.day);
  return (days ? DAY_LABELS[op] : undefined) ?? (field?.kind === "tag" && op === "eq" ? "has" : field?.kind === "tag" && op === "ne" ? "has not" : OP_LABELS[op]);
}

/** The value an operator starts with when chosen. */
export function initialValue(field: FilterField, op: Op): Value {
  if (op === "is_empty" || op === "is_not_empty") {
    return null;
  }
  if (op === "in" || op === "between") {
    return op === "between" ? ["", ""] : [];
  }
  if (field.kind === "boolean") {
    return true;
  }
  return "";
}

/** Whether a condition says enough to be sent. */
export function isComplete(condition: Condition): boolean {
  const { op, value } = condition;
  if (op === "is_empty" || op === "is_not_empty") {
    return true;
  }
  if (op === "between") {
    return Array.isArray(value) && value.length === 2 && value.every((item) => item !== "");
  }
  if (op === "in") {
    return Array.isArray(value) && value.length > 0;
  }
  return typeof value === "boolean" || (typeof value === "string" && value.trim() !== "");
}

function dayStart(day: string, utc: boolean): string {
  return utc ? `${day}T00:00:00Z` : new Date(`${day}T00:00:00`).toISOString();
}

function dayEnd(day: string, utc: boolean): string {
  return utc ? `${day}T23:59:59Z` : new Date(`${day}T23:59:59.999`).toISOString();
}

/** One value as the API takes it for this field and operator position ("start" or "end" of a day). */
function apiValue(field: FilterField, value: string, edge: "start" | "end"): unknown {
  const trimmed = value.trim();
  if (field.kind === "id") {
    return Number(trimmed);
  }
  if (field.kind === "datetime") {
    return edge === "start" ? dayStart(trimmed, false) : dayEnd(trimmed, false);
  }
  if (field.day === "datetime") {
    // Custom date-times are stored as UTC text: compare with the day's UTC bounds.
    return edge === "start" ? dayStart(trimmed, true) : dayEnd(trimmed, true);
  }
  return trimmed;
}

const END_OPS: ReadonlySet<Op> = new Set(["lte", "gt"]);

/** The API's leaf for one complete condition. */
export function toLeaf(field: FilterField, condition: Condition): Filter {
  const { op, value } = condition;
  if (op === "is_empty" || op === "is_not_empty") {
    return { field: field.key, op: "is_empty", value: op === "is_empty" };
  }
  if (field.kind === "boolean") {
    return { field: field.key, op, value: value === true || value === "true" };
  }
  if (op === "between") {
    const [low, high] = value as string[];
    return { field: field.key, op, value: [apiValue(field, low ?? "", "start"), apiValue(field, high ?? "", "end")] };
  }
  if (op === "in") {
    return { field: field.key, op, value: (value as string[]).map((item) => apiValue(field, item, "start")) };
  }
  return { field: field.key, op, value: apiValue(field, String(value), END_OPS.has(op) ? "end" : "start") };
}

/** The API's filter tree for the conditions (incomplete ones and unknown fields left out); none: undefined. */
export function toFilter(conditions: Condition[], match: Match, fields: FilterField[]): Filter | undefined {
  const byKey = new Map(fields.map((field) => [field.key, field]));
  const leaves = conditions.flatMap((condition) => {
    const field = byKey.get(condition.field);
    return field && isComplete(condition) ? [toLeaf(field, condition)] : [];
  });
  if (leaves.length === 0) {
    return undefined;
  }
  if (leaves.length === 1) {
    return leaves[0];
  }
  return match === "or" ? { or: leaves } : { and: leaves };
}

function localDay(iso: string): string {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) {
    return iso.slice(0, 10);
  }
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}`;
}

function uiValue(field: FilterField | undefined, value: unknown): string {
  if (field?.kind === "datetime" && typeof value === "string") {
    return localDay(value);
  }
  if (field?.day === "datetime" && typeof value === "string") {
    return value.slice(0, 10);
  }
  return value === null || value === undefined ? "" : String(value);
}

function fromLeaf(leaf: { field: string; op: string; value?: unknown }, byKey: Map<string, FilterField>): Condition {
  const field = byKey.get(leaf.field);
  if (leaf.op === "is_empty") {
    return { field: leaf.field, op: leaf.value === false ? "is_not_empty" : "is_empty", value: null };
  }
  if (typeof leaf.value === "boolean") {
    return { field: leaf.field, op: leaf.op as Op, value: leaf.value };
  }
  if (Array.isArray(leaf.value)) {
    return { field: leaf.field, op: leaf.op as Op, value: leaf.value.map((item) => uiValue(field, item)) };
  }
  return { field: leaf.field, op: leaf.op as Op, value: uiValue(field, leaf.value) };
}

function isLeaf(node: unknown): node is { field: string; op: string; value?: unknown } {
  return typeof node === "object" && node !== null && "field" in node && "op" in node;
}

/**
 * The conditions of a filter tree the builder can show: one leaf, or one AND/OR group of leaves. A deeper
 * tree (written through the API) gives null: the builder cannot edit it, but it still applies.
 */
export function fromFilter(
  tree: unknown,
  fields: FilterField[],
): { conditions: Condition[]; match: Match } | null {
  const byKey = new Map(fields.map((field) => [field.key, field]));
  if (tree === null || tree === undefined || (typeof tree === "object" && Object.keys(tree).length === 0)) {
    return { conditions: [], match: "and" };
  }
  if (isLeaf(tree)) {
    return { conditions: [fromLeaf(tree, byKey)], match: "and" };
  }
  if (typeof tree === "object") {
    const group = tree as { and?: unknown; or?: unknown };
    const children = group.and ?? group.or;
    if (Array.isArray(children) && children.every(isLeaf)) {
      return { conditions: children.map((child) => fromLeaf(child, byKey)), match: group.or ? "or" : "and" };
    }
  }
  return null;
}

/** A short sentence for a chip: "Tier is gold". */
export function describe(condition: Condition, field: FilterField | undefined, labelOf?: (value: string) => string): string {
  const name = field?.label ?? condition.field;
  const verb = opLabel(field, condition.op);
  const show = (value: string) => (labelOf ? labelOf(value) : value);
  const { value } = condition;
  if (condition.op === "is_empty" || condition.op === "is_not_empty") {
    return `${name} ${verb}`;
  }
  if (typeof value === "boolean") {
    return `${name} ${verb} ${value ? "yes" : "no"}`;
  }
  if (Array.isArray(value)) {
    return condition.op === "between"
      ? `${name} ${verb} ${show(value[0] ?? "")} and ${show(value[1] ?? "")}`
      : `${name} ${verb} ${value.map(show).join(", ")}`;
  }
  return `${name} ${verb} ${show(value ?? "")}`;
}
