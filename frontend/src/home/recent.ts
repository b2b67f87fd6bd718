// Recently viewed records, kept in this browser only (localStorage is per origin, so per workspace).
import { useEffect } from "react";
import type { RecordType } from "../api/records";

const KEY = "rapport.recent";
const KEEP = 10;

export interface Visit {
  type: RecordType;
  id: number;
  title: string;
  at: number;
}

export function recentVisits(storage: Pick<Storage, "getItem"> = localStorage): Visit[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(KEY) ?? "[]");
    return Array.isArray(parsed) ? (parsed as Visit[]).filter((visit) => visit && typeof visit.id === "number") : [];
  } catch {
    return [];
  }
}

/** The visits with this one first (once), at most ten. */
export function withVisit(visits: Visit[], visit: Visit): Visit[] {
  return [visit, ...visits.filter((item) => item.type !== visit.type || item.id !== visit.id)].slice(0, KEEP);
}

export function rememberVisit(visit: Visit, storage: Pick<Storage, "getItem" | "setItem"> = localStorage): void {
  try {
    storage.setItem(KEY, JSON.stringify(withVisit(recentVisits(storage), visit)));
  } catch {
    // Storage full or refused (private mode): the list is a convenience.
  }
}

export function useRememberVisit(type: RecordType, id: number, title: string | undefined): void {
  useEffect(() => {
    if (title) {
      rememberVisit({ type, id, title, at: Date.now() });
    }
  }, [type, id, title]);
}
