// Log an activity (call, meeting, email or task, with a due time) or add a note on a record; both appear in
// its timeline. Also the record's activities, open ones first, each marked done in place.
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  NativeSelect,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCalendarPlus, IconNote } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { api, ApiError, messageOf, unwrapAs } from "../api/client";
import { keys } from "../api/keys";
import type { RecordType } from "../api/records";
import { formatDateTime } from "./format";
import { NoteEditor, type NoteEditorHandle } from "./NoteEditor";

export interface Activity {
  id: number;
  kind: string;
  subject: string;
  details: string;
  due_at: string | null;
  reminder_at?: string | null;
  done: boolean;
  record_type: string | null;
  record_id: number | null;
  owner_id: string;
}

export const ACTIVITY_KINDS = [
  { value: "call", label: "Call" },
  { value: "meeting", label: "Meeting" },
  { value: "email", label: "Email" },
  { value: "task", label: "Task" },
];

/** What changes when an activity or a note is added or changed: timelines, activity lists. */
export async function refreshActivities(client: ReturnType<typeof useQueryClient>, type?: RecordType): Promise<void> {
  await Promise.all([
    client.invalidateQueries({ queryKey: ["activities"] }),
    ...(type ? [client.invalidateQueries({ queryKey: [...keys.records(type), "timeline"] })] : []),
  ]);
}

export function RecordActions({ type, id }: { type: RecordType; id: number }) {
  const [open, setOpen] = useState<null | "activity" | "note">(null);
  return (
    <>
      <Group gap="xs">
        <Button size="xs" variant="light" leftSection={<IconCalendarPlus size={16} />} onClick={() => setOpen("activity")}>
          Log activity
        </Button>
        <Button size="xs" variant="light" leftSection={<IconNote size={16} />} onClick={() => setOpen("note")}>
          Add note
        </Button>
      </Group>
      <LogActivityModal opened={open === "activity"} onClose={() => setOpen(null)} type={type} id={id} />
      <AddNoteModal opened={open === "note"} onClose={() => setOpen(null)} type={type} id={id} />
    </>
  );
}

/** `datetime-local` gives local wall time without a zone: the API wants a moment. */
function moment(local: string): string | null {
  return local ? new Date(local).toISOString() : null;
}

/** "Remind me": minutes before the due time ("" for no reminder). */
export const REMINDERS = [
  { value: "", label: "No reminder" },
  { value: "0", label: "At the due time" },
  { value: "5", label: "5 minutes before" },
  { value: "15", label: "15 minutes before" },
  { value: "60", label: "1 hour before" },
  { value: "1440", label: "1 day before" },
];

/** The reminder's moment: `minutesBefore` the due time, or null without either. */
export function reminderAt(due: string | null, minutesBefore: string): string | null {
  if (!due || minutesBefore === "") {
    return null;
  }
  return new Date(new Date(due).getTime() - Number(minutesBefore) * 60_000).toISOString();
}

/**
 * Log an activity on a record, or (without `type` and `id`) a task of one's own, with an optional
 * reminder: a notification when it comes.
 */
export function LogActivityModal({
  opened,
  onClose,
  type,
  id,
  title = "Log activity",
  initialKind = "call",
}: {
  opened: boolean;
  onClose: () => void;
  type?: RecordType;
  id?: number;
  title?: string;
  initialKind?: string;
}) {
  const client = useQueryClient();
  const [kind, setKind] = useState(initialKind);
  const [subject, setSubject] = useState("");
  const [details, setDetails] = useState("");
  const [due, setDue] = useState("");
  const [done, setDone] = useState(false);
  const [remind, setRemind] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      await unwrapAs<Activity>(
        api.POST("/api/v1/activities", {
          body: {
            kind, subject: subject.trim(), details: details.trim(), due_at: moment(due),
            reminder_at: reminderAt(moment(due), remind), done,
            ...(type && id ? { record_type: type, record_id: id } : {}),
          },
        }),
      );
      await refreshActivities(client, type);
      notifications.show({ color: "teal", message: `${ACTIVITY_KINDS.find((item) => item.value === kind)?.label} logged.` });
      setSubject("");
      setDetails("");
      setDue("");
      setRemind("");
      setDone(false);
      onClose();
    } catch (error) {
      const found = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(found);
      if (!["kind", "subject", "details", "due_at", "reminder_at"].some((field) => field in found)) {
        setFormError(messageOf(error));
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="lg">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Stack gap="sm">
          {formError && (
            <Alert color="red" role="alert">
              {formError}
            </Alert>
          )}
          <SegmentedControl aria-label="Kind" data={ACTIVITY_KINDS} value={kind} onChange={setKind} />
          {errors.kind && <Text size="xs" c="red">The kind {errors.kind}</Text>}
          <TextInput
            label="Subject"
            data-autofocus
            value={subject}
            onChange={(event) => {
              setSubject(event.currentTarget.value);
              setErrors(({ subject: _dropped, ...rest }) => rest);
            }}
            error={errors.subject ? `The subject ${errors.subject}` : undefined}
          />
          <Textarea
            label="Details"
            autosize
            minRows={3}
            value={details}
            onChange={(event) => {
              setDetails(event.currentTarget.value);
              setErrors(({ details: _dropped, ...rest }) => rest);
            }}
            error={errors.details ? `The details ${errors.details}` : undefined}
          />
          <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
            <TextInput
              label={kind === "task" ? "Due" : "When"}
              type="datetime-local"
              value={due}
              onChange={(event) => {
              setDue(event.currentTarget.value);
              setErrors(({ due_at: _dropped, ...rest }) => rest);
            }}
              error={errors.due_at ? `The due time ${errors.due_at}` : undefined}
            />
            <NativeSelect
              label="Remind me"
              data={REMINDERS}
              value={due ? remind : ""}
              disabled={!due}
              onChange={(event) => {
                setRemind(event.currentTarget.value);
                setErrors(({ reminder_at: _dropped, ...rest }) => rest);
              }}
              error={errors.reminder_at ? `The reminder ${errors.reminder_at}` : undefined}
            />
          </SimpleGrid>
          <Checkbox label="Done already" checked={done} onChange={(event) => setDone(event.currentTarget.checked)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {title}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function AddNoteModal({ opened, onClose, type, id }: { opened: boolean; onClose: () => void; type: RecordType; id: number }) {
  const client = useQueryClient();
  const editor = useRef<NoteEditorHandle>(null);
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setError(undefined);
    setFormError(null);
    if (!editor.current?.text()) {
      setError("Write something first.");
      return;
    }
    setBusy(true);
    try {
      await unwrapAs(api.POST("/api/v1/notes", { body: { body: editor.current.html(), record_type: type, record_id: id } }));
      await refreshActivities(client, type);
      notifications.show({ color: "teal", message: "Note added." });
      editor.current.clear();
      onClose();
    } catch (caught) {
      const found = caught instanceof ApiError ? caught.fieldErrors() : {};
      if (found.body) setError(`The note ${found.body}`);
      else setFormError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Add note" size="lg">
      <Stack gap="sm">
        {formError && (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        )}
        <NoteEditor ref={editor} label="Note" error={error} onInput={() => setError(undefined)} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => void submit()} loading={busy}>
            Add note
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Mark an activity done (or not) and refresh what shows it. */
export function useToggleDone() {
  const client = useQueryClient();
  return async (activity: Activity, done: boolean) => {
    try {
      await unwrapAs(api.PATCH("/api/v1/activities/{record_id}", { params: { path: { record_id: activity.id } }, body: { done } }));
      await client.invalidateQueries({ queryKey: ["activities"] });
      if (activity.record_type) {
        await client.invalidateQueries({ queryKey: [...keys.records(activity.record_type as RecordType), "timeline"] });
      }
    } catch (error) {
      notifications.show({ color: "red", title: "Not changed", message: messageOf(error) });
    }
  };
}

export function ActivityRow({ activity, onToggle }: { activity: Activity; onToggle: (done: boolean) => Promise<void> }) {
  // Ticked at once; the list moves it once the API has it.
  const [pending, setPending] = useState<boolean | null>(null);
  const done = pending ?? activity.done;
  const overdue = !done && activity.due_at !== null && new Date(activity.due_at) < new Date();
  return (
    <Group wrap="nowrap" gap="sm" align="flex-start" data-activity-id={activity.id}>
      <Checkbox
        mt={2}
        aria-label={`Done: ${activity.subject}`}
        checked={done}
        onChange={(event) => {
          const value = event.currentTarget.checked;
          setPending(value);
          void onToggle(value).finally(() => setPending(null));
        }}
      />
      <Stack gap={0} style={{ flex: 1, minWidth: 0 }}>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" fw={500} td={done ? "line-through" : undefined} truncate>
            {activity.subject || "(no subject)"}
          </Text>
          <Badge size="xs" variant="light">
            {activity.kind}
          </Badge>
        </Group>
        {activity.due_at && (
          <Text size="xs" c={overdue ? "red" : "dimmed"}>
            {overdue ? "Overdue · " : ""}
            {formatDateTime(activity.due_at)}
          </Text>
        )}
      </Stack>
    </Group>
  );
}

export function ActivitiesList({ type, id }: { type: RecordType; id: number }) {
  const toggle = useToggleDone();
  const params = {
    filter: { and: [{ field: "record_type", op: "eq", value: type }, { field: "record_id", op: "eq", value: id }] },
    sort: "due",
    limit: 100,
  };
  const activities = useQuery({
    queryKey: ["activities", "of", type, id],
    queryFn: () =>
      unwrapAs<{ items: Activity[] }>(
        api.GET("/api/v1/activities", { params: { query: { filter: JSON.stringify(params.filter), sort: params.sort, limit: params.limit } } }),
      ),
  });
  const items = activities.data?.items ?? [];
  const open = items.filter((item) => !item.done);
  const done = items.filter((item) => item.done);
  return (
    <Paper withBorder p="lg" radius="md" data-testid="activities">
      {activities.isPending && <Skeleton height={60} />}
      {activities.isError && <Text size="sm" c="red">{messageOf(activities.error)}</Text>}
      {activities.data && items.length === 0 && (
        <Text size="sm" c="dimmed">
          No activities yet.
        </Text>
      )}
      <Stack gap="sm">
        {open.map((activity) => (
          <ActivityRow key={activity.id} activity={activity} onToggle={(value) => toggle(activity, value)} />
        ))}
        {done.length > 0 && (
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} mt="xs">
            Done
          </Text>
        )}
        {done.map((activity) => (
          <ActivityRow key={activity.id} activity={activity} onToggle={(value) => toggle(activity, value)} />
        ))}
      </Stack>
    </Paper>
  );
}
