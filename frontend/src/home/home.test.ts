import { describe, expect, it } from "vitest";
import { dueFilter, endOfToday } from "./due";
import { recentVisits, rememberVisit, withVisit, type Visit } from "./recent";

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
}

const visit = (id: number): Visit => ({ type: "contact", id, title: `Contact ${id}`, at: id });

describe("recently viewed", () => {
  it("puts the latest first, once, and keeps ten", () => {
    let visits: Visit[] = [];
    for (let id = 1; id <= 12; id += 1) visits = withVisit(visits, visit(id));
    visits = withVisit(visits, visit(5));
    expect(visits.map((item) => item.id)).toEqual([5, 12, 11, 10, 9, 8, 7, 6, 4, 3]);
  });

  it("survives what is stored, even when it is not JSON", () => {
    const storage = memoryStorage();
    rememberVisit(visit(1), storage);
    rememberVisit({ ...visit(2), type: "lead" }, storage);
    expect(recentVisits(storage).map((item) => `${item.type}-${item.id}`)).toEqual(["lead-2", "contact-1"]);
    storage.setItem("rapport.recent", "{oops");
    expect(recentVisits(storage)).toEqual([]);
  });
});

describe("due activities", () => {
  it("are mine, open, and due by the end of today here", () => {
    const now = new Date(2026, 11, 1, 9, 30);
    expect(endOfToday(now)).toBe(new Date(2026, 11, 1, 23, 59, 59, 999).toISOString());
    expect(dueFilter("u1", now)).toEqual({
      and: [
        { field: "owner_id", op: "eq", value: "u1" },
        { field: "done", op: "eq", value: false },
        { field: "due_at", op: "lte", value: endOfToday(now) },
      ],
    });
  });
});
