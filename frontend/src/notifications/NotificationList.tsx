// The list in the bell's popover: newest first, unread ones marked, "Mark read" each or all, "Load more";
// opening one marks it read and goes to its record.
import { ActionIcon, Button, Group, ScrollArea, Skeleton, Stack, Text, Tooltip, UnstyledButton } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconBellOff, IconCheck, IconChecks } from "@tabler/icons-react";
import { useNavigate } from "react-router";
import { messageOf } from "../api/client";
import { useMarkRead, useNotificationList } from "./notificationData";
import { notificationAddress, notificationDetail, timeAgo, type AppNotification } from "./present";

export function NotificationList({ unread, onClose }: { unread: number; onClose: () => void }) {
  const list = useNotificationList(true);
  const mark = useMarkRead();
  const navigate = useNavigate();
  const failed = (error: unknown) => notifications.show({ color: "red", title: "Not marked read", message: messageOf(error) });
  const open = (notification: AppNotification) => {
    if (!notification.read_at) {
      void mark.one(notification.id).catch(failed);
    }
    const address = notificationAddress(notification);
    if (address) {
      onClose();
      navigate(address);
    }
  };
  const items = list.data ?? [];
  return (
    <Stack gap={0}>
      <Group justify="space-between" px="md" py="sm" style={{ borderBottom: "1px solid var(--mantine-color-gray-3)" }}>
        <Text fw={600} size="sm">
          Notifications
        </Text>
        <Button
          size="compact-xs"
          variant="subtle"
          leftSection={<IconChecks size={14} />}
          disabled={unread === 0}
          onClick={() => void mark.all().catch(failed)}
        >
          Mark all read
        </Button>
      </Group>
      <ScrollArea.Autosize mah="min(70vh, 480px)" type="auto">
        {list.isPending && (
          <Stack p="md" gap="sm">
            <Skeleton height={36} />
            <Skeleton height={36} />
          </Stack>
        )}
        {list.isError && (
          <Text size="sm" c="red" p="md" role="alert">
            {messageOf(list.error)}
          </Text>
        )}
        {list.isSuccess && items.length === 0 && (
          <Stack align="center" gap={4} p="xl" data-testid="notifications-empty">
            <IconBellOff size={28} stroke={1.4} color="var(--mantine-color-gray-5)" />
            <Text size="sm" c="dimmed" ta="center">
              No notifications yet. Reminders of your activities show here.
            </Text>
          </Stack>
        )}
        <Stack gap={0} component="ul" m={0} p={0} style={{ listStyle: "none" }} aria-label="Notifications">
          {items.map((notification) => (
            <NotificationItem
              key={notification.id}
              notification={notification}
              onOpen={() => open(notification)}
              onRead={() => void mark.one(notification.id).catch(failed)}
            />
          ))}
        </Stack>
        {list.hasNextPage && (
          <Group justify="center" p="sm">
            <Button size="xs" variant="default" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
              Load more
            </Button>
          </Group>
        )}
      </ScrollArea.Autosize>
    </Stack>
  );
}

function NotificationItem({ notification, onOpen, onRead }: { notification: AppNotification; onOpen: () => void; onRead: () => void }) {
  const unread = notification.read_at === null;
  return (
    <Group
      component="li"
      wrap="nowrap"
      align="flex-start"
      gap="xs"
      px="md"
      py="sm"
      data-unread={unread || undefined}
      style={{
        borderBottom: "1px solid var(--mantine-color-gray-2)",
        background: unread ? "var(--mantine-color-indigo-0)" : undefined,
      }}
    >
      <UnstyledButton onClick={onOpen} style={{ flex: 1, minWidth: 0 }} aria-label={`${unread ? "Unread: " : ""}${notification.title}`}>
        <Text size="sm" fw={unread ? 600 : 400} lineClamp={2}>
          {notification.title}
        </Text>
        <Text size="xs" c="dimmed">
          {notificationDetail(notification)}
        </Text>
        <Text size="xs" c="dimmed">
          {timeAgo(notification.created_at)}
        </Text>
      </UnstyledButton>
      {unread && (
        <Tooltip label="Mark read" withArrow>
          <ActionIcon variant="subtle" size="sm" aria-label={`Mark read: ${notification.title}`} onClick={onRead}>
            <IconCheck size={14} />
          </ActionIcon>
        </Tooltip>
      )}
    </Group>
  );
}
