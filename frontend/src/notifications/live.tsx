// A live notification (`notification.*` on the realtime socket, only ever the member's own): the bell
// and the list refetch, and a new one shows a toast that links to its record.
import { Anchor, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconBell } from "@tabler/icons-react";
import type { QueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { notificationKeys } from "./notificationData";
import { notificationAddress } from "./present";

export interface NotificationMessage {
  event: string;
  record_id: number | string;
  changes?: Record<string, unknown>;
}

function after(changes: Record<string, unknown> | undefined, field: string): unknown {
  const change = changes?.[field];
  return Array.isArray(change) ? change[1] : undefined;
}

export function onNotificationMessage(client: QueryClient, message: NotificationMessage): void {
  void client.invalidateQueries({ queryKey: notificationKeys.all });
  if (message.event !== "notification.created") {
    return;
  }
  const title = String(after(message.changes, "title") ?? "");
  const type = after(message.changes, "record_type");
  const id = after(message.changes, "record_id");
  const address = notificationAddress({
    record_type: typeof type === "string" ? type : null,
    record_id: typeof id === "number" ? id : null,
  });
  notifications.show({
    id: `notification-${message.record_id}`,
    title: after(message.changes, "kind") === "reminder" ? "Reminder" : "Notification",
    icon: <IconBell size={16} />,
    autoClose: 10_000,
    message: (
      <Stack gap={2}>
        <Text size="sm">{title}</Text>
        {address && (
          <Anchor component={Link} to={address} size="xs" onClick={() => notifications.hide(`notification-${message.record_id}`)}>
            Open
          </Anchor>
        )}
      </Stack>
    ),
  });
}
