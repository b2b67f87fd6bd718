// How a notification reads and where it leads; what the bell's badge says.
import { recordAddress } from "../crm/links";

export interface AppNotification {
  id: number;
  kind: string;
  title: string;
  body: string;
  record_type: string | null;
  record_id: number | null;
  data: Record<string, unknown>;
  created_at: string;
  read_at: string | null;
}

const KIND_LABELS: Record<string, string> = { call: "Call", meeting: "Meeting", email: "Email", task: "Task" };
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** Where opening the notification goes, or null when it leads nowhere. */
export function notificationAddress(notification: Pick<AppNotification, "record_type" | "record_id">): string | null {
  const { record_type: type, record_id: id } = notification;
  return type && id !== null ? recordAddress(type, id) : null;
}

/** The line under the title: a reminder's activity kind and due time, else the body. */
export function notificationDetail(notification: Pick<AppNotification, "kind" | "body" | "data">, format = timeFormat): string {
  if (notification.kind === "reminder") {
    const kind = String(notification.data.activity_kind ?? "");
    const due = notification.data.due_at;
    const label = `Reminder · ${KIND_LABELS[kind] ?? "Activity"}`;
    return typeof due === "string" && due ? `${label} due ${format.format(new Date(due))}` : label;
  }
  return notification.body;
}

/** "just now", "5 min ago", "3 hours ago", "2 days ago" (in this browser's language). */
export function timeAgo(value: string, now = new Date(), locale?: string): string {
  const seconds = Math.round((new Date(value).getTime() - now.getTime()) / 1000);
  if (Math.abs(seconds) < 45) {
    return "just now";
  }
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "short" });
  const units: [Intl.RelativeTimeFormatUnit, number][] = [["minute", 60], ["hour", 3600], ["day", 86400], ["week", 604800]];
  let chosen: [Intl.RelativeTimeFormatUnit, number] = ["minute", 60];
  for (const unit of units) {
    if (Math.abs(seconds) >= unit[1]) {
      chosen = unit;
    }
  }
  return format.format(Math.round(seconds / chosen[1]), chosen[0]);
}

/** The bell's badge: nothing at 0, "99+" past 99. */
export function badgeLabel(count: number): string | null {
  if (count <= 0) {
    return null;
  }
  return count > 99 ? "99+" : String(count);
}
