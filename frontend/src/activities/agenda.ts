// Where activities go on the Activities page: the list's due-date groups and the calendar's days. Days are
// this browser's calendar days (local midnight to midnight), as a person reads "today" and "the 15th".

export type DueGroup = "overdue" | "today" | "tomorrow" | "later" | "none";
export type CalendarView = "list" | "month" | "week";

export const GROUP_LABELS: Record<DueGroup, string> = {
  overdue: "Overdue",
  today: "Today",
  tomorrow: "Tomorrow",
  later: "Later",
  none: "No due date",
};
const GROUP_ORDER: DueGroup[] = ["overdue", "today", "tomorrow", "later", "none"];

export interface Dated {
  due_at: string | null;
}

/** Local midnight of the day `value` falls on. */
export function startOfDay(value: Date): Date {
  return new Date(value.getFullYear(), value.getMonth(), value.getDate());
}

/** The same wall time `days` calendar days later (a day across a daylight-saving change is 23 or 25 h). */
export function addDays(value: Date, days: number): Date {
  const moved = new Date(value);
  moved.setDate(moved.getDate() + days);
  return moved;
}

/** `YYYY-MM-DD` of the local day: the address's `day=` and the calendar's cell key. */
export function dayKey(value: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
}

/** The local day of a `YYYY-MM-DD` key, or null when it is not one. */
export function parseDay(key: string | null | undefined): Date | null {
  const found = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key ?? "");
  if (!found) {
    return null;
  }
  const [year, month, day] = [Number(found[1]), Number(found[2]) - 1, Number(found[3])];
  const value = new Date(year, month, day);
  return value.getMonth() === month && value.getDate() === day ? value : null;
}

export function dueGroup(due: string | null, now: Date): DueGroup {
  if (!due) {
    return "none";
  }
  const at = new Date(due);
  const today = startOfDay(now);
  if (at < today) {
    return "overdue";
  }
  if (at < addDays(today, 1)) {
    return "today";
  }
  return at < addDays(today, 2) ? "tomorrow" : "later";
}

export interface Group<T> {
  group: DueGroup;
  label: string;
  items: T[];
}

/** Non-empty groups in the order overdue, today, tomorrow, later, no date; items keep their order. */
export function groupByDue<T extends Dated>(items: T[], now: Date): Group<T>[] {
  const groups = new Map<DueGroup, T[]>(GROUP_ORDER.map((group) => [group, []]));
  for (const item of items) {
    groups.get(dueGroup(item.due_at, now))?.push(item);
  }
  return GROUP_ORDER.filter((group) => (groups.get(group) ?? []).length > 0).map((group) => ({
    group,
    label: GROUP_LABELS[group],
    items: groups.get(group) ?? [],
  }));
}

/** The first day of the week here (0 Sunday … 6 Saturday): the locale's when the browser says, else Monday. */
export function firstDayOfWeek(locale = typeof navigator === "undefined" ? "en" : navigator.language): number {
  try {
    const info = new Intl.Locale(locale) as Intl.Locale & {
      getWeekInfo?: () => { firstDay: number };
      weekInfo?: { firstDay: number };
    };
    const firstDay = (info.getWeekInfo?.() ?? info.weekInfo)?.firstDay;
    return firstDay === undefined ? 1 : firstDay % 7; // Intl counts Monday 1 … Sunday 7
  } catch {
    return 1;
  }
}

/** The seven days of the week `value` is in. */
export function weekOf(value: Date, weekStartsOn: number): Date[] {
  const day = startOfDay(value);
  const start = addDays(day, -((day.getDay() - weekStartsOn + 7) % 7));
  return Array.from({ length: 7 }, (_, index) => addDays(start, index));
}

/** The weeks (rows of seven days) that show the month of `value`: 4 to 6 of them. */
export function monthGrid(value: Date, weekStartsOn: number): Date[][] {
  const first = new Date(value.getFullYear(), value.getMonth(), 1);
  const last = new Date(value.getFullYear(), value.getMonth() + 1, 0);
  const weeks: Date[][] = [];
  for (let start = weekOf(first, weekStartsOn)[0] as Date; start <= last; start = addDays(start, 7)) {
    weeks.push(weekOf(start, weekStartsOn));
  }
  return weeks;
}

/** The first day of the month `months` after the month of `value`. */
export function shiftMonth(value: Date, months: number): Date {
  return new Date(value.getFullYear(), value.getMonth() + months, 1);
}

/** From the start of the first day to the end of the last, as the API compares moments. */
export function rangeOf(days: Date[]): { from: string; to: string } {
  const first = days[0] ?? new Date();
  const last = days[days.length - 1] ?? first;
  return { from: startOfDay(first).toISOString(), to: new Date(addDays(startOfDay(last), 1).getTime() - 1).toISOString() };
}

/** Activities by the local day they are due (`dayKey`); those without a due time have no day. */
export function placeOnDays<T extends Dated>(items: T[]): Map<string, T[]> {
  const days = new Map<string, T[]>();
  for (const item of items) {
    if (!item.due_at) {
      continue;
    }
    const key = dayKey(new Date(item.due_at));
    days.set(key, [...(days.get(key) ?? []), item]);
  }
  return days;
}

export interface AgendaAddress {
  view: CalendarView;
  day: Date;
}

/** What the page shows, from its address (`?view=month&day=2026-12-15`); unknown values fall back. */
export function agendaFrom(params: URLSearchParams, today: Date): AgendaAddress {
  const view = params.get("view");
  return {
    view: view === "month" || view === "week" ? view : "list",
    day: parseDay(params.get("day")) ?? startOfDay(today),
  };
}

/** The day one step back (-1) or forward (1) in a view: a month, or a week. */
export function step(view: CalendarView, day: Date, direction: -1 | 1): Date {
  return view === "month" ? shiftMonth(day, direction) : addDays(day, 7 * direction);
}
