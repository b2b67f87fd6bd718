// A record's timeline, newest first: activities, notes, deals and field changes (from the audit log),
// loaded page by page with the API's keyset cursor. Notes arrive as HTML the API already sanitized.
import { Anchor, Badge, Button, Group, Paper, Skeleton, Stack, Text, Title, Typography } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api, messageOf, unwrap } from "../api/client";
import { keys } from "../api/keys";
import { Link } from "react-router";
import { recordPath, type RecordType } from "../api/records";
import { formatDateTime, formatMoney } from "./format";

type TimelineType = "contact" | "company" | "lead" | "deal";

interface TimelineItem {
  type: "activity" | "note" | "deal" | "change";
  id: number;
  at: string;
  data: Record<string, unknown>;
}

interface TimelinePage {
  items: TimelineItem[];
  next_cursor: string | null;
}

type TimelinePath = "/api/v1/contacts/{record_id}/timeline";
const COLLECTIONS: Record<TimelineType, string> = { contact: "contacts", company: "companies", lead: "leads", deal: "deals" };

function fetchTimeline(type: TimelineType, id: number, cursor: string | null): Promise<TimelinePage> {
  const path = `/api/v1/${COLLECTIONS[type]}/{record_id}/timeline` as TimelinePath;
  return unwrap(
    api.GET(path, { params: { path: { record_id: id }, query: { limit: 20, cursor: cursor ?? undefined } } }),
  ) as Promise<TimelinePage>;
}

const LABELS: Record<TimelineItem["type"], string> = {
  activity: "Activity",
  note: "Note",
  deal: "Deal",
  change: "Change",
};

function Body({ item }: { item: TimelineItem }) {
  const data = item.data;
  if (item.type === "note") {
    return (
      <Typography fz="sm">
        {/* Sanitized by the API (nh3, an allowlist of tags); the page's CSP forbids inline scripts too. */}
        <div dangerouslySetInnerHTML={{ __html: String(data.body ?? "") }} />
      </Typography>
    );
  }
  if (item.type === "activity") {
    return (
      <Group gap={6}>
        <Text size="sm" fw={500} td={data.done ? "line-through" : undefined}>
          {String(data.subject ?? "")}
        </Text>
        <Badge size="xs" variant="light">
          {String(data.kind ?? "")}
        </Badge>
        {data.due_at ? (
          <Text size="xs" c="dimmed">
            due {formatDateTime(String(data.due_at))}
          </Text>
        ) : null}
      </Group>
    );
  }
  if (item.type === "deal") {
    return (
      <Text size="sm">
        <Anchor component={Link} to={recordPath("deal", item.id)} size="sm">
          {String(data.name ?? `Deal ${item.id}`)}
        </Anchor>{" "}
        · {formatMoney(data.amount as string | undefined, data.currency as string | undefined)}
      </Text>
    );
  }
  const changed = Object.keys((data.changes as Record<string, unknown>) ?? {});
  const verb = String(data.action ?? "").split(".")[1] ?? "changed";
  return (
    <Text size="sm">
      {verb === "created" ? "Created" : verb === "updated" ? `Changed ${changed.join(", ")}` : verb}
      <Text span size="xs" c="dimmed">
        {" "}
        by {String(data.actor ?? "someone")}
      </Text>
    </Text>
  );
}

export function Timeline({ type, id }: { type: TimelineType; id: number }) {
  const timeline = useInfiniteQuery({
    queryKey: [...keys.records(type as RecordType), "timeline", id],
    queryFn: ({ pageParam }) => fetchTimeline(type, id, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const items = timeline.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Paper withBorder p="lg" radius="md" data-testid="timeline">
      <Title order={2} size="h5" mb="sm">
        Timeline
      </Title>
      {timeline.isPending && <Skeleton height={80} />}
      {timeline.isError && (
        <Text size="sm" c="red">
          {messageOf(timeline.error)}
        </Text>
      )}
      {timeline.data && items.length === 0 && (
        <Text size="sm" c="dimmed">
          Nothing has happened here yet.
        </Text>
      )}
      <Stack gap="sm">
        {items.map((item) => (
          <Group key={`${item.type}-${item.id}`} align="flex-start" wrap="nowrap" gap="sm" data-timeline-type={item.type}>
            <Badge size="sm" variant="outline" w={72}>
              {LABELS[item.type]}
            </Badge>
            <Stack gap={2} style={{ flex: 1 }}>
              <Body item={item} />
              <Text size="xs" c="dimmed">
                {formatDateTime(item.at)}
              </Text>
            </Stack>
          </Group>
        ))}
      </Stack>
      {timeline.hasNextPage && (
        <Button variant="subtle" size="xs" mt="sm" loading={timeline.isFetchingNextPage} onClick={() => timeline.fetchNextPage()}>
          Older
        </Button>
      )}
    </Paper>
  );
}
