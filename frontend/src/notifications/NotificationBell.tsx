// The bell in the header: the unread count, and on click the list (its own chunk, loaded when first opened).
import { ActionIcon, Center, Indicator, Loader, Popover } from "@mantine/core";
import { IconBell } from "@tabler/icons-react";
import { lazy, Suspense, useState } from "react";
import { useUnreadCount } from "./notificationData";
import { badgeLabel } from "./present";

const NotificationList = lazy(() => import("./NotificationList").then((module) => ({ default: module.NotificationList })));

export function NotificationBell() {
  const [opened, setOpened] = useState(false);
  const count = useUnreadCount().data?.count ?? 0;
  const badge = badgeLabel(count);
  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      position="bottom-end"
      width={380}
      shadow="md"
      trapFocus
      returnFocus
      middlewares={{ shift: { padding: 8 } }}
    >
      <Popover.Target>
        <Indicator label={badge} disabled={badge === null} size={18} offset={6} color="red" data-testid="notification-count">
          <ActionIcon
            variant="subtle"
            color="gray"
            size="lg"
            aria-label={badge ? `Notifications, ${count} unread` : "Notifications"}
            aria-expanded={opened}
            aria-haspopup="dialog"
            onClick={() => setOpened((open) => !open)}
          >
            <IconBell size={20} stroke={1.6} />
          </ActionIcon>
        </Indicator>
      </Popover.Target>
      <Popover.Dropdown p={0} maw="calc(100vw - 16px)" role="dialog" aria-label="Notifications">
        {opened && (
          <Suspense
            fallback={
              <Center p="lg">
                <Loader size="sm" aria-label="Loading" />
              </Center>
            }
          >
            <NotificationList unread={count} onClose={() => setOpened(false)} />
          </Suspense>
        )}
      </Popover.Dropdown>
    </Popover>
  );
}
