// An activity opened from the calendar: linked ones go to their record; one of my own (no record) opens
// here, with its details and "Done".
import { Badge, Checkbox, Group, Modal, Stack, Text } from "@mantine/core";
import { useNavigate } from "react-router";
import { recordAddress } from "../crm/links";
import { formatDateTime } from "../crm/format";
import { useToggleDone, type Activity } from "../crm/RecordActions";

/** What clicking an activity does: go to its record, or show it (returns the one to show). */
export function useOpenActivity(show: (activity: Activity) => void) {
  const navigate = useNavigate();
  return (activity: Activity) => {
    if (activity.record_type && activity.record_id !== null) {
      navigate(recordAddress(activity.record_type, activity.record_id));
    } else {
      show(activity);
    }
  };
}

export function ActivityDetails({ activity, onClose }: { activity: Activity | null; onClose: () => void }) {
  const toggle = useToggleDone();
  return (
    <Modal opened={activity !== null} onClose={onClose} title={activity?.subject || "Activity"}>
      {activity && (
        <Stack gap="sm">
          <Group gap="xs">
            <Badge variant="light">{activity.kind}</Badge>
            {activity.due_at && <Text size="sm">Due {formatDateTime(activity.due_at)}</Text>}
          </Group>
          {activity.reminder_at && (
            <Text size="sm" c="dimmed">
              Reminder {formatDateTime(activity.reminder_at)}
            </Text>
          )}
          {activity.details && (
            <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
              {activity.details}
            </Text>
          )}
          <Checkbox
            label="Done"
            defaultChecked={activity.done}
            onChange={(event) => void toggle(activity, event.currentTarget.checked)}
          />
        </Stack>
      )}
    </Modal>
  );
}
