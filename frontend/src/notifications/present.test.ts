import { describe, expect, it } from "vitest";
import { badgeLabel, notificationAddress, notificationDetail, timeAgo } from "./present";

describe("notifications", () => {
  it("lead to their record; an activity of its own to the Activities page", () => {
    expect(notificationAddress({ record_type: "contact", record_id: 7 })).toBe("/contacts/7");
    expect(notificationAddress({ record_type: "company", record_id: 3 })).toBe("/companies/3");
    expect(notificationAddress({ record_type: "activity", record_id: 9 })).toBe("/activities");
    expect(notificationAddress({ record_type: "deal", record_id: 4 })).toBe(
      `/deals?mode=table&filter=${encodeURIComponent('{"field":"id","op":"eq","value":4}')}`,
    );
    expect(notificationAddress({ record_type: null, record_id: null })).toBeNull();
  });

  it("say what a reminder is about", () => {
    const format = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
    const data = { activity_kind: "call", due_at: "2026-12-01T10:30:00Z" };
    expect(notificationDetail({ kind: "reminder", body: "", data }, format)).toBe("Reminder · Call due 1 Dec 2026, 10:30");
    expect(notificationDetail({ kind: "reminder", body: "", data: {} }, format)).toBe("Reminder · Activity");
    expect(notificationDetail({ kind: "mention", body: "Ann mentioned you", data: {} }, format)).toBe("Ann mentioned you");
  });

  it("tell how long ago, and badge the unread count", () => {
    const now = new Date("2026-12-01T12:00:00Z");
    expect(timeAgo("2026-12-01T11:59:30Z", now, "en")).toBe("just now");
    expect(timeAgo("2026-12-01T11:55:00Z", now, "en")).toBe("5 min. ago");
    expect(timeAgo("2026-12-01T09:00:00Z", now, "en")).toBe("3 hr. ago");
    expect(timeAgo("2026-11-29T12:00:00Z", now, "en")).toBe("2 days ago");
    expect([0, 1, 99, 100, 1000].map(badgeLabel)).toEqual([null, "1", "99", "99+", "99+"]);
  });
});
