// A custom role's permissions as the editor's matrix, and back to the API's document:
// {"objects": {"<type>" | "*": {"ops": [...], "scope": "own" | "team" | "all", "fields": {"<name>": "hidden" | "read_only"}}}}.
// A type without a rule of its own follows "*" (every other type); without "*" it gets no access.

export const OPS = ["create", "read", "update", "delete", "export"] as const;
export type Op = (typeof OPS)[number];
export type Scope = "own" | "team" | "all";
export type FieldRule = "hidden" | "read_only";
export const ANY = "*";

export interface RowRule {
  /** Whether this type has a rule of its own (always true for "*"). */
  own: boolean;
  ops: Op[];
  scope: Scope;
  fields: Record<string, FieldRule>;
}

export type Matrix = Record<string, RowRule>;

export const EMPTY: RowRule = { own: false, ops: [], scope: "own", fields: {} };

interface RawRule {
  ops?: unknown;
  scope?: unknown;
  fields?: unknown;
}

/** The matrix of a role's permissions over `kinds` (the object types) and "*". */
export function matrixOf(permissions: Record<string, unknown> | null | undefined, kinds: string[]): Matrix {
  const objects = (permissions?.objects ?? {}) as Record<string, RawRule>;
  const matrix: Matrix = {};
  for (const kind of [ANY, ...kinds]) {
    const raw = objects[kind];
    if (!raw) {
      matrix[kind] = { ...EMPTY, own: kind === ANY };
      continue;
    }
    const ops = Array.isArray(raw.ops) ? OPS.filter((op) => (raw.ops as unknown[]).includes(op)) : [];
    const scope = raw.scope === "team" || raw.scope === "all" ? raw.scope : "own";
    const fields: Record<string, FieldRule> = {};
    for (const [name, rule] of Object.entries((raw.fields ?? {}) as Record<string, unknown>)) {
      if (rule === "hidden" || rule === "read_only") fields[name] = rule;
    }
    matrix[kind] = { own: true, ops, scope, fields };
  }
  return matrix;
}

/** The API's permissions document: "*" and the types with a rule of their own, ops in the API's order. */
export function permissionsOf(matrix: Matrix): { objects: Record<string, { ops: Op[]; scope: Scope; fields: Record<string, FieldRule> }> } {
  const objects: Record<string, { ops: Op[]; scope: Scope; fields: Record<string, FieldRule> }> = {};
  for (const [kind, rule] of Object.entries(matrix)) {
    if (kind !== ANY && !rule.own) continue;
    objects[kind] = { ops: OPS.filter((op) => rule.ops.includes(op)), scope: rule.scope, fields: kind === ANY ? {} : rule.fields };
  }
  return { objects };
}

/** One line for a rule in the roles table: "read, update · all rows · 2 field rules". */
export function ruleSummary(rule: RowRule): string {
  if (rule.ops.length === 0) return "no access";
  const scope = { own: "own rows", team: "team's rows", all: "all rows" }[rule.scope];
  const count = Object.keys(rule.fields).length;
  return [rule.ops.join(", "), scope, count ? `${count} field rule${count === 1 ? "" : "s"}` : null].filter(Boolean).join(" · ");
}

/** The API's messages for one row of the matrix (its errors are named permissions.objects.<type>…). */
export function rowErrors(fields: Record<string, string>, kind: string): string[] {
  const prefix = `permissions.objects.${kind}`;
  return Object.entries(fields)
    .filter(([name]) => name === prefix || name.startsWith(`${prefix}.`))
    .map(([name, message]) => (name === prefix ? message : `${name.slice(prefix.length + 1)} ${message}`));
}

/** A role key the API accepts from its name: "Support Team" → "support-team". */
export function roleKeyOf(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "")
    .slice(0, 32)
    .replace(/-+$/, "");
}
