// My work: my activities due today or overdue (marked done here), my open deals, and the records I
// looked at recently in this browser.
import { Anchor, Badge, Grid, Group, Paper, Skeleton, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, messageOf, unwrapAs } from "../api/client";
import { listRecords, type Filter, type RecordType } from "../api/records";
import { usePipelines } from "../api/workspaceData";
import { useSession } from "../auth/session";
import { formatDate, formatMoney } from "../crm/format";
import { ActivityRow, useToggleDone, type Activity } from "../crm/RecordActions";
import { useNames } from "../crm/useNames";
import { dueFilter, endOfToday } from "./due";
import { recentVisits } from "./recent";

const PAGES: Record<RecordType, string> = { contact: "contacts", company: "companies", lead: "leads", deal: "deals" };

function recordAddress(type: string, id: number): string {
  return `/${PAGES[type as RecordType] ?? type}/${id}`;
}

export function HomePage() {
  const session = useSession();
  const me = session.data?.user_id ?? "";
  return (
    <Stack gap="lg">
      <Title order={1} size="h2">
        My work
      </Title>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <DueActivities me={me} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="lg">
            <OpenDeals me={me} />
            <Recent />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function DueActivities({ me }: { me: string }) {
  const toggle = useToggleDone();
  const filter = dueFilter(me);
  const due = useQuery({
    // The day is part of the key: a page left open overnight asks again.
    queryKey: ["activities", "due", me, endOfToday()],
    queryFn: () =>
      unwrapAs<{ items: Activity[] }>(api.GET("/api/v1/activities", { params: { query: { filter: JSON.stringify(filter), sort: "due", limit: 100 } } })),
    enabled: me !== "",
  });
  const items = due.data?.items ?? [];
  const byType = (type: string) => items.filter((item) => item.record_type === type).map((item) => item.record_id);
  const names = {
    contact: useNames("contact", [byType("contact")]),
    company: useNames("company", [byType("company")]),
    lead: useNames("lead", [byType("lead")]),
    deal: useNames("deal", [byType("deal")]),
  };
  return (
    <Paper withBorder p="lg" radius="md" data-testid="due-activities">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5">
          Today and overdue
        </Title>
        {due.data && <Badge variant="light" color={items.length ? "red" : "gray"}>{items.length}</Badge>}
      </Group>
      {due.isPending && <Skeleton height={80} />}
      {due.isError && <Text size="sm" c="red">{messageOf(due.error)}</Text>}
      {due.data && items.length === 0 && (
        <Text size="sm" c="dimmed">
          Nothing due. Activities you own with a due time up to today show here.
        </Text>
      )}
      <Stack gap="sm">
        {items.map((activity) => (
          <Stack key={activity.id} gap={0}>
            <ActivityRow activity={activity} onToggle={(done) => toggle(activity, done)} />
            {activity.record_type && activity.record_id && (
              <Anchor component={Link} to={recordAddress(activity.record_type, activity.record_id)} size="xs" ml={34}>
                {names[activity.record_type as keyof typeof names]?.get(activity.record_id) ?? "…"}
              </Anchor>
            )}
          </Stack>
        ))}
      </Stack>
    </Paper>
  );
}

function OpenDeals({ me }: { me: string }) {
  const pipelines = usePipelines();
  const open = (pipelines.data ?? []).flatMap((pipeline) => pipeline.stages.filter((stage) => stage.kind === "open"));
  const stageNames = new Map(open.map((stage) => [stage.id, stage.name]));
  const params = {
    filter: { and: [{ field: "owner_id", op: "eq", value: me }, { field: "stage", op: "in", value: open.map((stage) => stage.id) }] } as Filter,
    sort: "-amount",
    limit: 10,
    fields: ["id", "name", "amount", "currency", "stage", "expected_close"],
  };
  const deals = useQuery({
    queryKey: ["records", "deal", "mine", me, params],
    queryFn: () => listRecords("deal", params),
    enabled: me !== "" && open.length > 0,
  });
  const items = deals.data?.items ?? [];
  return (
    <Paper withBorder p="lg" radius="md" data-testid="open-deals">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5">
          My open deals
        </Title>
        {deals.data && <Badge variant="light" color="gray">{deals.data.next_cursor ? `${items.length}+` : items.length}</Badge>}
      </Group>
      {deals.isLoading && <Skeleton height={60} />}
      {deals.isError && <Text size="sm" c="red">{messageOf(deals.error)}</Text>}
      {(open.length === 0 || (deals.data && items.length === 0)) && (
        <Text size="sm" c="dimmed">
          No open deals of yours.
        </Text>
      )}
      <Stack gap={6}>
        {items.map((deal) => (
          <Group key={deal.id} justify="space-between" wrap="nowrap">
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Anchor component={Link} to={recordAddress("deal", deal.id)} size="sm" truncate>
                {deal.name}
              </Anchor>
              <Text size="xs" c="dimmed">
                {stageNames.get(deal.stage ?? -1) ?? ""}
                {deal.expected_close ? ` · closes ${formatDate(deal.expected_close)}` : ""}
              </Text>
            </Stack>
            <Text size="sm" fw={500}>
              {formatMoney(deal.amount, deal.currency)}
            </Text>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}

function Recent() {
  const visits = recentVisits();
  return (
    <Paper withBorder p="lg" radius="md" data-testid="recent">
      <Title order={2} size="h5" mb="sm">
        Recently viewed
      </Title>
      {visits.length === 0 && (
        <Text size="sm" c="dimmed">
          Records you open show here (in this browser).
        </Text>
      )}
      <Stack gap={6}>
        {visits.map((visit) => (
          <Group key={`${visit.type}-${visit.id}`} justify="space-between" wrap="nowrap">
            <Anchor component={Link} to={recordAddress(visit.type, visit.id)} size="sm" truncate>
              {visit.title}
            </Anchor>
            <Text size="xs" c="dimmed">
              {visit.type}
            </Text>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}
