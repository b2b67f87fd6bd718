// The signed-in frame: left navigation, the workspace switcher, search (Cmd+K) and the user menu.
import {
  AppShell,
  Avatar,
  Burger,
  Center,
  Loader,
  Group,
  Kbd,
  Menu,
  NavLink,
  Stack,
  Text,
  UnstyledButton,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { spotlight } from "@mantine/spotlight";
import {
  IconBuilding,
  IconCalendarEvent,
  IconCheck,
  IconChevronDown,
  IconFileImport,
  IconLayoutKanban,
  IconLogout,
  IconHome,
  IconKey,
  IconSearch,
  IconSettings,
  IconTargetArrow,
  IconUser,
  IconUsers,
} from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { Suspense } from "react";
import { NavLink as RouterLink, Outlet, useNavigate } from "react-router";
import { api, unwrap } from "../api/client";
import { keys } from "../api/keys";
import { useSignOut, type Session } from "../auth/session";
import { NotificationBell } from "../notifications/NotificationBell";
import { useRealtime } from "../realtime/useRealtime";
import { usePermissions } from "../tables/tableData";
import { workspaceAddress } from "../workspace";
import { CommandPalette } from "./CommandPalette";

const MOD_KEY = /Mac|iPhone|iPad/.test(navigator.userAgent) ? "⌘" : "Ctrl";

const NAVIGATION = [
  { to: "/", label: "My work", icon: IconHome },
  { to: "/activities", label: "Activities", icon: IconCalendarEvent },
  { to: "/contacts", label: "Contacts", icon: IconUsers },
  { to: "/companies", label: "Companies", icon: IconBuilding },
  { to: "/leads", label: "Leads", icon: IconTargetArrow },
  { to: "/deals", label: "Deals", icon: IconLayoutKanban },
  { to: "/import", label: "Import", icon: IconFileImport },
];

/** Only for owners and admins (the API refuses others). */
const SETTINGS = { to: "/settings", label: "Settings", icon: IconSettings };

export function Shell({ session }: { session: Session }) {
  const [opened, { toggle, close }] = useDisclosure();
  const permissions = usePermissions();
  const live = useRealtime();
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Navigation" />
            <WorkspaceSwitcher />
          </Group>
          <Group gap={6} wrap="nowrap">
            <UnstyledButton
              onClick={() => spotlight.open()}
              aria-label="Search"
              px="sm"
              py={6}
              style={{ border: "1px solid var(--mantine-color-gray-3)", borderRadius: 8 }}
            >
              <Group gap="xs" wrap="nowrap">
                <IconSearch size={16} />
                <Text size="sm" c="dimmed" visibleFrom="xs">
                  Search
                </Text>
                <Kbd size="xs" visibleFrom="xs">
                  {MOD_KEY} K
                </Kbd>
              </Group>
            </UnstyledButton>
            <NotificationBell />
            <UserMenu session={session} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm">
        <Stack gap={4}>
          {[...NAVIGATION, ...(permissions.data?.admin ? [SETTINGS] : [])].map((item) => (
            <NavLink
              key={item.to}
              component={RouterLink}
              to={item.to}
              end={item.to === "/"}
              label={item.label}
              leftSection={<item.icon size={18} stroke={1.6} />}
              onClick={close}
            />
          ))}
        </Stack>
        <Text size="xs" c="dimmed" mt="auto" aria-live="polite" data-testid="live-status">
          {live ? "● Live updates on" : "○ Connecting for live updates…"}
        </Text>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense
          fallback={
            <Center py={80}>
              <Loader aria-label="Loading" />
            </Center>
          }
        >
          <Outlet />
        </Suspense>
      </AppShell.Main>
      <CommandPalette />
    </AppShell>
  );
}

function WorkspaceSwitcher() {
  const workspace = useQuery({
    queryKey: keys.workspace,
    queryFn: () => unwrap(api.GET("/api/v1/workspace")),
    staleTime: Infinity,
  });
  const tenants = useQuery({
    queryKey: keys.myTenants,
    queryFn: () => unwrap(api.GET("/api/v1/me/tenants")),
  });
  const name = workspace.data?.name ?? "";
  return (
    <Menu position="bottom-start" width={260} shadow="md">
      <Menu.Target>
        <UnstyledButton aria-label="Switch workspace">
          <Group gap={8} wrap="nowrap">
            <Avatar color="indigo" radius="md" size={30}>
              {name.slice(0, 1).toUpperCase()}
            </Avatar>
            <Text fw={600} truncate maw={{ base: 120, xs: 180 }}>
              {name}
            </Text>
            <IconChevronDown size={14} />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Your workspaces</Menu.Label>
        {(tenants.data ?? []).map((tenant) => (
          <Menu.Item
            key={tenant.id}
            component="a"
            href={tenant.current ? "/" : workspaceAddress(tenant.url, tenant.slug, true)}
            rightSection={tenant.current ? <IconCheck size={14} /> : null}
          >
            <Text size="sm">{tenant.name}</Text>
            <Text size="xs" c="dimmed">
              {tenant.slug}
            </Text>
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

function UserMenu({ session }: { session: Session }) {
  const signOut = useSignOut();
  const navigate = useNavigate();
  return (
    <Menu position="bottom-end" width={240} shadow="md">
      <Menu.Target>
        <UnstyledButton aria-label="Account">
          <Avatar radius="xl" size={32} color="indigo">
            {session.email.slice(0, 2).toUpperCase()}
          </Avatar>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          {session.email}
          <br />
          {session.role}
        </Menu.Label>
        <Menu.Item leftSection={<IconUser size={16} />} onClick={() => navigate("/account/profile")}>
          My profile
        </Menu.Item>
        <Menu.Item leftSection={<IconKey size={16} />} onClick={() => navigate("/account/api-keys")}>
          Your API keys
        </Menu.Item>
        <Menu.Item
          leftSection={<IconLogout size={16} />}
          onClick={() => {
            void signOut().finally(() => navigate("/sign-in", { replace: true }));
          }}
        >
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
