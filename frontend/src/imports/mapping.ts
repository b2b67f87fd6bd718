// The mapping step's state: which field each file column goes into, what is wrong with it (found here or
// said by the API), and the body of the start call.
import { ApiError, messageOf } from "../api/client";
import type { ImportField, Mapping } from "./api";

export interface MappingProblems {
  /** By file column. */
  columns: Record<string, string>;
  /** About the mapping as a whole (or anything the API did not pin on a column). */
  general: string | null;
}

export const NO_PROBLEMS: MappingProblems = { columns: {}, general: null };

/**
 * Every column of the file, with the API's suggestion where there is one (else what the import holds
 * already, e.g. after a reload, where the upload's suggestion is gone). Fields the API does not offer
 * (any more) are dropped rather than sent to be refused.
 */
export function initialMapping(
  headers: string[],
  fields: ImportField[],
  suggested: Mapping | undefined,
  saved: Mapping = {},
): Mapping {
  const known = new Set(fields.map((field) => field.name));
  const mapping: Mapping = {};
  for (const column of headers) {
    const chosen = suggested?.[column] ?? saved[column] ?? null;
    mapping[column] = chosen && known.has(chosen) ? chosen : null;
  }
  return mapping;
}

export function withField(mapping: Mapping, column: string, field: string | null): Mapping {
  return { ...mapping, [column]: field || null };
}

/** What the mapping says before it is sent: a field filled from two columns, or nothing imported. */
export function localProblems(mapping: Mapping, labelOf: (field: string) => string): MappingProblems {
  const firstColumn = new Map<string, string>();
  const columns: Record<string, string> = {};
  for (const [column, field] of Object.entries(mapping)) {
    if (!field) {
      continue;
    }
    const earlier = firstColumn.get(field);
    if (earlier === undefined) {
      firstColumn.set(field, column);
    } else {
      columns[column] = `${labelOf(field)} is already filled from “${earlier}”`;
    }
  }
  const general = firstColumn.size === 0 ? "Choose a field for at least one column." : null;
  return { columns, general };
}

/** The start call's refusal: `mapping.<column>` errors go next to their column, the rest above. */
export function problemsFromError(error: unknown): MappingProblems {
  if (!(error instanceof ApiError)) {
    return { columns: {}, general: messageOf(error) };
  }
  const columns: Record<string, string> = {};
  const general: string[] = [];
  for (const item of error.problem.errors ?? []) {
    if (item.field.startsWith("mapping.")) {
      columns[item.field.slice("mapping.".length)] ??= capitalized(item.message);
    } else {
      general.push(capitalized(item.message));
    }
  }
  if (general.length === 0 && Object.keys(columns).length === 0) {
    general.push(messageOf(error));
  }
  return { columns, general: general.length ? general.join(" ") : null };
}

export function mergeProblems(first: MappingProblems, second: MappingProblems): MappingProblems {
  return {
    columns: { ...second.columns, ...first.columns },
    general: first.general ?? second.general,
  };
}

export function hasProblems(problems: MappingProblems): boolean {
  return problems.general !== null || Object.keys(problems.columns).length > 0;
}

/** The first few values of a column in the file's sample (blank cells left out). */
export function sampleValues(headers: string[], sample: string[][], column: string, count = 3): string[] {
  const index = headers.indexOf(column);
  if (index < 0) {
    return [];
  }
  return sample
    .map((row) => (row[index] ?? "").trim())
    .filter((value) => value !== "")
    .slice(0, count);
}

export function mappedCount(mapping: Mapping): number {
  return Object.values(mapping).filter(Boolean).length;
}

function capitalized(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}
