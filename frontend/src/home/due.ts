// Which activities are "today and overdue": mine, open, due by the end of today in this browser's zone.
import type { Filter } from "../api/records";

/** The end of today in this browser's time zone, as the API compares moments. */
export function endOfToday(now = new Date()): string {
  const end = new Date(now);
  end.setHours(23, 59, 59, 999);
  return end.toISOString();
}

export function dueFilter(userId: string, now = new Date()): Filter {
  return {
    and: [
      { field: "owner_id", op: "eq", value: userId },
      { field: "done", op: "eq", value: false },
      { field: "due_at", op: "lte", value: endOfToday(now) },
    ],
  };
}
