// Live updates: the workspace's WebSocket (same origin, session cookie) reports each record change the
// member may see; the queries of that record type are invalidated, so open lists and pages refetch. The
// member's own notifications (`notification.*`) refresh the bell and show a toast.
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { keys } from "../api/keys";
import type { RecordType } from "../api/records";
import { onNotificationMessage, type NotificationMessage } from "../notifications/live";

const PING_MS = 25_000;
const FLUSH_MS = 250;
const MAX_BACKOFF_MS = 30_000;
const TYPES: ReadonlySet<string> = new Set<RecordType>(["contact", "company", "deal", "lead"]);
/** Changes that show on timelines (and activity lists) without changing the record itself. */
const ON_TIMELINES: ReadonlySet<string> = new Set(["activity", "note", "deal"]);
const TIMELINES = "timelines";

export interface RecordChange {
  event: string;
  record_type: string;
  record_id: number | string;
  changes?: Record<string, unknown>;
}

/** A list scrolled this far is not refetched on a change (it would ask for every page again). */
const MAX_LIVE_PAGES = 5;

/**
 * Everything of a record type goes stale; what is shown refetches, except long scrolled lists: refetching
 * an infinite list asks for all its pages again, so those refresh when next opened or changed.
 */
async function refreshType(client: QueryClient, type: RecordType): Promise<void> {
  await client.invalidateQueries({ queryKey: keys.records(type), refetchType: "none" });
  await client.refetchQueries({
    queryKey: keys.records(type),
    type: "active",
    predicate: (query) => {
      const data = query.state.data as { pages?: unknown[] } | undefined;
      return (data?.pages?.length ?? 0) <= MAX_LIVE_PAGES;
    },
  });
}

/** Invalidate what changed, a batch at a time (an import sends thousands of changes). */
function changeBatcher(client: QueryClient) {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    add(change: RecordChange) {
      if (ON_TIMELINES.has(change.record_type)) {
        pending.add(TIMELINES);
      }
      if (TYPES.has(change.record_type)) {
        pending.add(change.record_type);
      }
      if (pending.size === 0) {
        return;
      }
      timer ??= setTimeout(() => {
        timer = undefined;
        for (const type of pending) {
          if (type === TIMELINES) {
            for (const type of ["contact", "company", "lead", "deal"] as const) {
              void client.invalidateQueries({ queryKey: [...keys.records(type), "timeline"] });
            }
            void client.invalidateQueries({ queryKey: ["activities"] });
          } else {
            void refreshType(client, type as RecordType);
          }
        }
        void client.invalidateQueries({ queryKey: ["search"] });
        pending.clear();
      }, FLUSH_MS);
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

/** Keeps the realtime socket open while mounted (reconnecting with backoff); true while connected. */
export function useRealtime(): boolean {
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const batcher = changeBatcher(client);
    let socket: WebSocket | null = null;
    let stopped = false;
    let failures = 0;
    let everConnected = false;
    let reconnect: ReturnType<typeof setTimeout> | undefined;
    let ping: ReturnType<typeof setInterval> | undefined;

    const connect = () => {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      const current = new WebSocket(`${scheme}//${location.host}/api/v1/realtime`);
      socket = current;
      current.onopen = () => {
        failures = 0;
        setConnected(true);
        if (everConnected) {
          // Changes made while the socket was down were missed: refetch what is shown.
          void client.invalidateQueries({ queryKey: ["records"] });
          void client.invalidateQueries({ queryKey: ["activities"] });
          void client.invalidateQueries({ queryKey: ["notifications"] });
        }
        everConnected = true;
        ping = setInterval(() => current.send(JSON.stringify({ type: "ping" })), PING_MS);
      };
      current.onmessage = (event: MessageEvent<string>) => {
        try {
          const message = JSON.parse(event.data) as Partial<RecordChange> & { type?: string };
          if (message.event?.startsWith("notification.")) {
            onNotificationMessage(client, message as NotificationMessage);
          } else if (message.record_type && message.event) {
            batcher.add(message as RecordChange);
          }
        } catch {
          // Not JSON: nothing the app understands.
        }
      };
      current.onclose = () => {
        setConnected(false);
        clearInterval(ping);
        if (!stopped) {
          failures += 1;
          reconnect = setTimeout(connect, Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures));
        }
      };
    };

    connect();
    return () => {
      stopped = true;
      clearTimeout(reconnect);
      clearInterval(ping);
      batcher.stop();
      socket?.close();
    };
  }, [client]);

  return connected;
}
