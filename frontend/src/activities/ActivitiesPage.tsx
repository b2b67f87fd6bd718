// Activities: my open activities grouped by due date (overdue, today, tomorrow, later, no date), or a
// calendar of everything of mine due in a month or a week. The view and day live in the address.
import { Anchor, Badge, Button, Group, Paper, SegmentedControl, Skeleton, Stack, Text, Title } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { messageOf } from "../api/client";
import { useSession } from "../auth/session";
import { recordAddress } from "../crm/links";
import { ActivityRow, LogActivityModal, useToggleDone, type Activity } from "../crm/RecordActions";
import { ActivityCalendar } from "./ActivityCalendar";
import { useLinkedNames, useOpenActivities } from "./activityData";
import { agendaFrom, dayKey, groupByDue, type CalendarView } from "./agenda";
import "./activities.css";

const VIEWS = [
  { value: "list", label: "List" },
  { value: "month", label: "Month" },
  { value: "week", label: "Week" },
];

export function ActivitiesPage() {
  const me = useSession().data?.user_id ?? "";
  const [params, setParams] = useSearchParams();
  const { view, day } = agendaFrom(params, new Date());
  const [creating, setCreating] = useState(false);
  const show = (next: { view?: CalendarView; day?: Date }) => {
    const chosen = next.view ?? view;
    const address = new URLSearchParams();
    if (chosen !== "list") {
      address.set("view", chosen);
      address.set("day", dayKey(next.day ?? day));
    }
    setParams(address);
  };
  return (
    <Stack gap="lg">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Title order={1} size="h2">
          Activities
        </Title>
        <Group gap="sm" wrap="wrap">
          <SegmentedControl aria-label="View" data={VIEWS} value={view} onChange={(value) => show({ view: value as CalendarView })} />
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            New task
          </Button>
        </Group>
      </Group>
      {view === "list" ? <OpenActivities me={me} /> : <ActivityCalendar me={me} view={view} day={day} onShow={show} />}
      <LogActivityModal opened={creating} onClose={() => setCreating(false)} title="New task" initialKind="task" />
    </Stack>
  );
}

function OpenActivities({ me }: { me: string }) {
  const list = useOpenActivities(me);
  const toggle = useToggleDone();
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const linked = useLinkedNames(items);
  const groups = groupByDue(items, new Date());
  if (list.isPending) {
    return <Skeleton height={160} />;
  }
  if (list.isError) {
    return (
      <Text c="red" role="alert">
        {messageOf(list.error)}
      </Text>
    );
  }
  return (
    <Stack gap="md" data-testid="open-activities">
      {items.length === 0 && (
        <Paper withBorder p="xl" radius="md">
          <Text c="dimmed" ta="center">
            No open activities. Tasks, calls and meetings you own show here until they are done.
          </Text>
        </Paper>
      )}
      {groups.map((group, index) => (
        <Paper key={group.group} withBorder p="lg" radius="md" component="section" aria-labelledby={`due-${group.group}`}>
          <Group justify="space-between" mb="sm">
            <Title order={2} size="h5" id={`due-${group.group}`} c={group.group === "overdue" ? "red" : undefined}>
              {group.label}
            </Title>
            <Badge variant="light" color={group.group === "overdue" ? "red" : "gray"}>
              {group.items.length}
              {index === groups.length - 1 && list.hasNextPage ? "+" : ""}
            </Badge>
          </Group>
          <Stack gap="sm">
            {group.items.map((activity) => (
              <OpenActivity key={activity.id} activity={activity} name={linked(activity)} onToggle={(done) => toggle(activity, done)} />
            ))}
          </Stack>
        </Paper>
      ))}
      {list.hasNextPage && (
        <Group justify="center">
          <Button variant="default" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            Load more
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function OpenActivity({ activity, name, onToggle }: { activity: Activity; name?: string; onToggle: (done: boolean) => Promise<void> }) {
  return (
    <Stack gap={0}>
      <ActivityRow activity={activity} onToggle={onToggle} />
      {activity.record_type && activity.record_id !== null && (
        <Anchor component={Link} to={recordAddress(activity.record_type, activity.record_id)} size="xs" ml={34}>
          {name ?? `${activity.record_type} ${activity.record_id}`}
        </Anchor>
      )}
    </Stack>
  );
}
