import { describe, expect, it } from "vitest";
import {
  addDays,
  agendaFrom,
  dayKey,
  dueGroup,
  groupByDue,
  monthGrid,
  parseDay,
  placeOnDays,
  rangeOf,
  step,
  weekOf,
} from "./agenda";

const local = (year: number, month: number, day: number, hour = 0, minute = 0) =>
  new Date(year, month - 1, day, hour, minute);
const at = (year: number, month: number, day: number, hour = 0, minute = 0) =>
  local(year, month, day, hour, minute).toISOString();

describe("due groups", () => {
  const now = local(2026, 12, 1, 9, 30);

  it("go by this browser's calendar days", () => {
    expect(dueGroup(null, now)).toBe("none");
    expect(dueGroup(at(2026, 11, 30, 23, 59), now)).toBe("overdue");
    expect(dueGroup(at(2026, 12, 1, 0, 0), now)).toBe("today");
    expect(dueGroup(at(2026, 12, 1, 8, 0), now)).toBe("today"); // earlier today: today's, shown as late
    expect(dueGroup(at(2026, 12, 1, 23, 59), now)).toBe("today");
    expect(dueGroup(at(2026, 12, 2, 0, 0), now)).toBe("tomorrow");
    expect(dueGroup(at(2026, 12, 2, 23, 59), now)).toBe("tomorrow");
    expect(dueGroup(at(2026, 12, 3, 0, 0), now)).toBe("later");
  });

  it("come in order, empty ones left out, items in the order given", () => {
    const items = [
      { id: 1, due_at: at(2026, 11, 2) },
      { id: 2, due_at: at(2026, 12, 1, 15) },
      { id: 3, due_at: at(2026, 12, 9) },
      { id: 4, due_at: null },
      { id: 5, due_at: at(2026, 11, 28) },
      { id: 6, due_at: at(2026, 12, 1, 10) },
    ];
    expect(groupByDue(items, now).map(({ label, items }) => [label, items.map((item) => item.id)])).toEqual([
      ["Overdue", [1, 5]],
      ["Today", [2, 6]],
      ["Later", [3]],
      ["No due date", [4]],
    ]);
    expect(groupByDue([], now)).toEqual([]);
  });
});

describe("calendar", () => {
  it("shows whole weeks around the month, from the week's first day", () => {
    const december = monthGrid(local(2026, 12, 15), 1); // 1 Dec 2026 is a Tuesday
    expect(december).toHaveLength(5);
    expect(dayKey(december[0]![0]!)).toBe("2026-11-30");
    expect(dayKey(december[4]![6]!)).toBe("2027-01-03");
    expect(december.every((week) => week.length === 7)).toBe(true);
    const sundays = monthGrid(local(2026, 12, 15), 0);
    expect(dayKey(sundays[0]![0]!)).toBe("2026-11-29");
    expect(monthGrid(local(2026, 2, 1), 0)).toHaveLength(4); // February 2026: Sunday 1st to Saturday 28th
    expect(monthGrid(local(2026, 8, 1), 1)).toHaveLength(6); // August 2026 starts on a Saturday
  });

  it("keeps days at midnight across daylight-saving changes", () => {
    for (const week of monthGrid(local(2026, 3, 1), 1).concat(monthGrid(local(2026, 10, 1), 1))) {
      expect(week.every((day) => day.getHours() === 0 && day.getMinutes() === 0)).toBe(true);
    }
    expect(weekOf(local(2026, 3, 29, 15), 1).map(dayKey)).toEqual([
      "2026-03-23", "2026-03-24", "2026-03-25", "2026-03-26", "2026-03-27", "2026-03-28", "2026-03-29",
    ]);
  });

  it("places activities on the local day they are due", () => {
    const placed = placeOnDays([
      { id: 1, due_at: at(2026, 12, 15, 0, 0) },
      { id: 2, due_at: at(2026, 12, 15, 23, 59) },
      { id: 3, due_at: at(2026, 12, 16, 9) },
      { id: 4, due_at: null },
    ]);
    expect([...placed.entries()].map(([day, items]) => [day, items.map((item) => item.id)])).toEqual([
      ["2026-12-15", [1, 2]],
      ["2026-12-16", [3]],
    ]);
  });

  it("asks the API for the first day's start to the last day's end", () => {
    const week = weekOf(local(2026, 12, 15), 1);
    expect(rangeOf(week)).toEqual({
      from: local(2026, 12, 14).toISOString(),
      to: new Date(local(2026, 12, 21).getTime() - 1).toISOString(),
    });
  });

  it("reads the view and day from the address, and steps by a month or a week", () => {
    const today = local(2026, 12, 1, 9);
    expect(agendaFrom(new URLSearchParams(""), today)).toEqual({ view: "list", day: local(2026, 12, 1) });
    expect(agendaFrom(new URLSearchParams("view=month&day=2027-02-14"), today)).toEqual({
      view: "month",
      day: local(2027, 2, 14),
    });
    expect(agendaFrom(new URLSearchParams("view=year&day=2027-02-30"), today)).toEqual({ view: "list", day: local(2026, 12, 1) });
    expect(parseDay("2027-13-01")).toBeNull();
    expect(dayKey(step("month", local(2027, 1, 31), 1))).toBe("2027-02-01");
    expect(dayKey(step("month", local(2027, 1, 31), -1))).toBe("2026-12-01");
    expect(dayKey(step("week", local(2026, 12, 29), 1))).toBe("2027-01-05");
    expect(dayKey(addDays(local(2026, 12, 31), 1))).toBe("2027-01-01");
  });
});
