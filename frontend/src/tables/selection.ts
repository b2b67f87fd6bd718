// What bulk actions apply to: the rows ticked (ids, as loaded), or — after "select all N matching" — every
// record the table's filter and search match, loaded or not (the bulk API's `matching`).
import type { Filter } from "../api/records";

export type Selection =
  | { kind: "ids"; ids: number[] }
  | { kind: "matching"; filter: Filter | undefined; q: string; estimate: number | null; loaded: number; more: boolean };

export interface Matching {
  filter: Filter | Record<string, never>;
  q?: string;
  deleted_at?: string;
}

/** The part of a bulk request that says which records. */
export function targetOf(selection: Selection): { ids: number[] } | { matching: Matching } {
  if (selection.kind === "ids") {
    return { ids: selection.ids };
  }
  return { matching: { filter: selection.filter ?? {}, ...(selection.q ? { q: selection.q } : {}) } };
}

/** What undoes a bulk delete of `selection`: the same ids, or the matching records that delete removed. */
export function undoTargetOf(selection: Selection, deletedAt: string | undefined): { ids: number[] } | { matching: Matching } {
  const target = targetOf(selection);
  if ("matching" in target && deletedAt) {
    return { matching: { ...target.matching, deleted_at: deletedAt } };
  }
  return target;
}

/**
 * How many records match, as far as the table knows: all are loaded ("130"), the planner's estimate when it
 * says more than are loaded ("≈ 12,345"), or at least those loaded ("100+": estimates of fresh tables lag).
 */
export function matchingLabel(estimate: number | null, loaded: number, more: boolean): string {
  if (!more) return loaded.toLocaleString();
  if (estimate !== null && estimate > loaded) return `≈ ${estimate.toLocaleString()}`;
  return `${loaded.toLocaleString()}+`;
}

/** "3 contacts", "1 contact", "all ≈ 12,345 matching contacts". */
export function describeSelection(selection: Selection, singular: string, plural: string): string {
  if (selection.kind === "ids") {
    return `${selection.ids.length.toLocaleString()} ${selection.ids.length === 1 ? singular : plural.toLowerCase()}`;
  }
  return `all ${matchingLabel(selection.estimate, selection.loaded, selection.more)} matching ${plural.toLowerCase()}`;
}

/**
 * Whether to offer "select all N matching": every loaded row is ticked and more records match than are
 * loaded (another page waits, or the estimate says so).
 */
export function offerAllMatching(selected: ReadonlySet<number>, loadedIds: number[], hasMore: boolean): boolean {
  return hasMore && loadedIds.length > 0 && loadedIds.every((id) => selected.has(id));
}
