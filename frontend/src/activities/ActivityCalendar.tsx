// The calendar: a month grid (weeks as rows, a CSS grid of days) or a week as a list of days, with my
// activities on the day they are due. An activity opens its record (or, without one, its details).
import { ActionIcon, Alert, Badge, Button, Checkbox, Group, Paper, Skeleton, Stack, Text, Title, UnstyledButton } from "@mantine/core";
import { IconChevronLeft, IconChevronRight } from "@tabler/icons-react";
import { useState } from "react";
import { messageOf } from "../api/client";
import { useToggleDone, type Activity } from "../crm/RecordActions";
import { ActivityDetails, useOpenActivity } from "./ActivityDetails";
import { useActivitiesDue, useLinkedNames } from "./activityData";
import { dayKey, firstDayOfWeek, monthGrid, placeOnDays, rangeOf, startOfDay, step, weekOf, type CalendarView } from "./agenda";

const SHOWN_PER_DAY = 3;
const monthTitle = new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric" });
const dayTitle = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric" });
const shortDay = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const weekdayName = new Intl.DateTimeFormat(undefined, { weekday: "short" });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

interface Props {
  me: string;
  view: Exclude<CalendarView, "list">;
  day: Date;
  onShow: (next: { view?: CalendarView; day?: Date }) => void;
}

export function ActivityCalendar({ me, view, day, onShow }: Props) {
  const weekStartsOn = firstDayOfWeek();
  const weeks = view === "month" ? monthGrid(day, weekStartsOn) : [weekOf(day, weekStartsOn)];
  const days = weeks.flat();
  const { from, to } = rangeOf(days);
  const due = useActivitiesDue(me, from, to);
  const [shown, setShown] = useState<Activity | null>(null);
  const open = useOpenActivity(setShown);
  const placed = placeOnDays(due.data?.items ?? []);
  const unit = view === "month" ? "month" : "week";
  const title =
    view === "month" ? monthTitle.format(day) : `${shortDay.format(days[0] ?? day)} – ${shortDay.format(days[6] ?? day)}`;
  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Group gap="xs" wrap="nowrap">
          <ActionIcon variant="default" size="lg" aria-label={`Previous ${unit}`} onClick={() => onShow({ day: step(view, day, -1) })}>
            <IconChevronLeft size={18} />
          </ActionIcon>
          <ActionIcon variant="default" size="lg" aria-label={`Next ${unit}`} onClick={() => onShow({ day: step(view, day, 1) })}>
            <IconChevronRight size={18} />
          </ActionIcon>
          <Title order={2} size="h4" aria-live="polite" data-testid="calendar-title">
            {title}
          </Title>
        </Group>
        <Button variant="default" size="sm" onClick={() => onShow({ day: startOfDay(new Date()) })}>
          Today
        </Button>
      </Group>
      {due.isError && (
        <Alert color="red" role="alert">
          {messageOf(due.error)}
        </Alert>
      )}
      {due.data && !due.data.complete && (
        <Alert color="yellow">More than {due.data.items.length} activities are due here; the first ones are shown.</Alert>
      )}
      {due.isPending ? (
        <Skeleton height={view === "month" ? 480 : 320} />
      ) : view === "month" ? (
        <MonthGrid weeks={weeks} month={day.getMonth()} placed={placed} onOpen={open} onDay={(chosen) => onShow({ view: "week", day: chosen })} />
      ) : (
        <WeekList days={days} placed={placed} onOpen={open} />
      )}
      <ActivityDetails activity={shown} onClose={() => setShown(null)} />
    </Stack>
  );
}

function MonthGrid({
  weeks,
  month,
  placed,
  onOpen,
  onDay,
}: {
  weeks: Date[][];
  month: number;
  placed: Map<string, Activity[]>;
  onOpen: (activity: Activity) => void;
  onDay: (day: Date) => void;
}) {
  const today = dayKey(new Date());
  return (
    <div className="calendar-month" data-testid="calendar-month">
      {(weeks[0] ?? []).map((day) => (
        <div key={`head-${day.getDay()}`} className="calendar-weekday" aria-hidden="true">
          {weekdayName.format(day)}
        </div>
      ))}
      {weeks.flat().map((day) => {
        const key = dayKey(day);
        const items = placed.get(key) ?? [];
        const more = items.length - SHOWN_PER_DAY;
        return (
          <section
            key={key}
            className="calendar-day"
            data-day={key}
            data-outside={day.getMonth() !== month || undefined}
            aria-label={`${dayTitle.format(day)}: ${items.length === 1 ? "1 activity" : `${items.length} activities`}`}
            aria-current={key === today ? "date" : undefined}
          >
            <UnstyledButton className="calendar-date" onClick={() => onDay(day)} aria-label={`Week of ${dayTitle.format(day)}`}>
              {day.getDate()}
            </UnstyledButton>
            {items.length > 0 && (
              <span className="calendar-count" aria-hidden="true">
                {items.length}
              </span>
            )}
            <ul className="calendar-items">
              {items.slice(0, SHOWN_PER_DAY).map((activity) => (
                <li key={activity.id}>
                  <UnstyledButton
                    className="calendar-item"
                    data-done={activity.done || undefined}
                    onClick={() => onOpen(activity)}
                    title={activity.subject}
                  >
                    {activity.due_at ? `${time.format(new Date(activity.due_at))} ` : ""}
                    {activity.subject || "(no subject)"}
                  </UnstyledButton>
                </li>
              ))}
            </ul>
            {more > 0 && (
              <UnstyledButton className="calendar-more" onClick={() => onDay(day)}>
                +{more} more
              </UnstyledButton>
            )}
          </section>
        );
      })}
    </div>
  );
}

function WeekList({ days, placed, onOpen }: { days: Date[]; placed: Map<string, Activity[]>; onOpen: (activity: Activity) => void }) {
  const toggle = useToggleDone();
  const linked = useLinkedNames(days.flatMap((day) => placed.get(dayKey(day)) ?? []));
  const today = dayKey(new Date());
  return (
    <Stack gap="sm" data-testid="calendar-week">
      {days.map((day) => {
        const key = dayKey(day);
        const items = placed.get(key) ?? [];
        return (
          <Paper
            key={key}
            withBorder
            p="md"
            radius="md"
            component="section"
            data-day={key}
            aria-label={dayTitle.format(day)}
            aria-current={key === today ? "date" : undefined}
            bg={key === today ? "indigo.0" : undefined}
          >
            <Group justify="space-between" mb={items.length ? "xs" : 0}>
              <Text fw={600} size="sm">
                {dayTitle.format(day)}
              </Text>
              {items.length === 0 ? (
                <Text size="xs" c="dimmed">
                  Nothing due
                </Text>
              ) : (
                <Badge variant="light" color="gray">
                  {items.length}
                </Badge>
              )}
            </Group>
            <Stack gap={6}>
              {items.map((activity) => (
                <WeekItem
                  key={activity.id}
                  activity={activity}
                  name={linked(activity)}
                  onOpen={() => onOpen(activity)}
                  onToggle={(done) => toggle(activity, done)}
                />
              ))}
            </Stack>
          </Paper>
        );
      })}
    </Stack>
  );
}

function WeekItem({
  activity,
  name,
  onOpen,
  onToggle,
}: {
  activity: Activity;
  name?: string;
  onOpen: () => void;
  onToggle: (done: boolean) => Promise<void>;
}) {
  // Ticked at once; the list has it once the API does.
  const [pending, setPending] = useState<boolean | null>(null);
  const done = pending ?? activity.done;
  return (
    <Group wrap="nowrap" gap="sm" align="center">
      <Checkbox
        aria-label={`Done: ${activity.subject}`}
        checked={done}
        onChange={(event) => {
          const value = event.currentTarget.checked;
          setPending(value);
          void onToggle(value).finally(() => setPending(null));
        }}
      />
      <Text size="xs" c="dimmed" w={64} style={{ flexShrink: 0 }}>
        {activity.due_at ? time.format(new Date(activity.due_at)) : ""}
      </Text>
      <UnstyledButton onClick={onOpen} style={{ minWidth: 0, flex: 1 }}>
        <Text size="sm" fw={500} truncate td={done ? "line-through" : undefined}>
          {activity.subject || "(no subject)"}
        </Text>
        {name && (
          <Text size="xs" c="dimmed" truncate>
            {name}
          </Text>
        )}
      </UnstyledButton>
      <Badge size="xs" variant="light" visibleFrom="xs">
        {activity.kind}
      </Badge>
    </Group>
  );
}
