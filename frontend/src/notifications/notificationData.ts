// The signed-in member's notifications: the unread count (the bell), the list (newest first, keyset
// pages), marking read. Everything sits under ["notifications"], which a live message invalidates.
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import type { AppNotification } from "./present";

export const notificationKeys = {
  all: ["notifications"] as const,
  count: ["notifications", "count"] as const,
  list: ["notifications", "list"] as const,
};

const PAGE = 20;

export function useUnreadCount() {
  return useQuery({
    queryKey: notificationKeys.count,
    queryFn: () => unwrap(api.GET("/api/v1/notifications/unread-count")),
    // Live messages refresh it; this only bounds a missed one (the socket was down).
    refetchInterval: 5 * 60_000,
  });
}

export function useNotificationList(enabled: boolean) {
  return useInfiniteQuery({
    queryKey: notificationKeys.list,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/v1/notifications", { params: { query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: null as number | null,
    getNextPageParam: (page) => page.next_cursor,
    select: (data) => data.pages.flatMap((page) => page.items as AppNotification[]),
    enabled,
  });
}

export function useMarkRead() {
  const client = useQueryClient();
  return {
    one: async (id: number) => {
      await unwrap(api.POST("/api/v1/notifications/{notification_id}/read", { params: { path: { notification_id: id } } }));
      await client.invalidateQueries({ queryKey: notificationKeys.all });
    },
    all: async () => {
      await unwrap(api.POST("/api/v1/notifications/read-all"));
      await client.invalidateQueries({ queryKey: notificationKeys.all });
    },
  };
}
