// My activities from the list API: open ones by due time (keyset pages), and every one due in a range.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, unwrapAs } from "../api/client";
import type { Filter, RecordType } from "../api/records";
import type { Activity } from "../crm/RecordActions";
import { useNames } from "../crm/useNames";

interface ActivityPage {
  items: Activity[];
  next_cursor: string | null;
}

const LINKED: RecordType[] = ["contact", "company", "deal", "lead"];
const CALENDAR_PAGE = 200;
const CALENDAR_PAGES = 10;

async function activityPage(filter: Filter, cursor: string | null, limit: number): Promise<ActivityPage> {
  const query = { filter: JSON.stringify(filter), sort: "due", limit, ...(cursor ? { cursor } : {}) };
  return unwrapAs<ActivityPage>(api.GET("/api/v1/activities", { params: { query } }));
}

export function openFilter(me: string): Filter {
  return {
    and: [
      { field: "owner_id", op: "eq", value: me },
      { field: "done", op: "eq", value: false },
    ],
  };
}

export function dueBetweenFilter(me: string, from: string, to: string): Filter {
  return {
    and: [
      { field: "owner_id", op: "eq", value: me },
      { field: "due_at", op: "between", value: [from, to] },
    ],
  };
}

/** My open activities, soonest due first (undated last), 100 a page. */
export function useOpenActivities(me: string) {
  return useInfiniteQuery({
    queryKey: ["activities", "open", me],
    queryFn: ({ pageParam }) => activityPage(openFilter(me), pageParam, 100),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    enabled: me !== "",
  });
}

/** Every activity of mine due between `from` and `to` (done ones too), up to 2,000. */
export function useActivitiesDue(me: string, from: string, to: string) {
  return useQuery({
    queryKey: ["activities", "due-between", me, from, to],
    queryFn: async () => {
      const items: Activity[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < CALENDAR_PAGES; page += 1) {
        const found: ActivityPage = await activityPage(dueBetweenFilter(me, from, to), cursor, CALENDAR_PAGE);
        items.push(...found.items);
        cursor = found.next_cursor;
        if (!cursor) {
          break;
        }
      }
      return { items, complete: cursor === null };
    },
    enabled: me !== "",
  });
}

/** Names of the records these activities are linked to, by type and id. */
export function useLinkedNames(activities: Activity[]): (activity: Activity) => string | undefined {
  const ids = (type: RecordType) => activities.filter((item) => item.record_type === type).map((item) => item.record_id);
  const names = {
    contact: useNames("contact", [ids("contact")]),
    company: useNames("company", [ids("company")]),
    deal: useNames("deal", [ids("deal")]),
    lead: useNames("lead", [ids("lead")]),
  };
  return (activity) =>
    activity.record_type && activity.record_id !== null && LINKED.includes(activity.record_type as RecordType)
      ? names[activity.record_type as RecordType].get(activity.record_id)
      : undefined;
}
