// Cmd/Ctrl+K: global search over contacts, companies, deals and leads (the API's ranked, typo-tolerant search), and
// commands. Choosing a record opens its page.
import { Group, Loader, Text } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { Spotlight } from "@mantine/spotlight";
import {
  IconBuilding,
  IconLayoutKanban,
  IconPlus,
  IconSearch,
  IconTargetArrow,
  IconUser,
  IconUsers,
} from "@tabler/icons-react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useNavigate } from "react-router";
import { api, messageOf, unwrap } from "../api/client";
import { keys } from "../api/keys";
import { COLLECTION, type RecordType } from "../api/records";

interface Command {
  id: string;
  label: string;
  icon: ReactNode;
  to: string;
}

const COMMANDS: Command[] = [
  { id: "go-contacts", label: "Go to Contacts", icon: <IconUsers size={18} />, to: "/contacts" },
  { id: "go-companies", label: "Go to Companies", icon: <IconBuilding size={18} />, to: "/companies" },
  { id: "go-leads", label: "Go to Leads", icon: <IconTargetArrow size={18} />, to: "/leads" },
  { id: "go-deals", label: "Go to Deals", icon: <IconLayoutKanban size={18} />, to: "/deals" },
  { id: "new-contact", label: "New contact", icon: <IconPlus size={18} />, to: "/contacts?new=1" },
  { id: "new-company", label: "New company", icon: <IconPlus size={18} />, to: "/companies?new=1" },
  { id: "new-lead", label: "New lead", icon: <IconPlus size={18} />, to: "/leads?new=1" },
];

function hitAddress(type: string, id: number): string {
  return `/${COLLECTION[type as RecordType] ?? type}/${id}`;
}

const HIT_ICONS: Record<string, ReactNode> = {
  company: <IconBuilding size={18} />,
  deal: <IconLayoutKanban size={18} />,
  lead: <IconTargetArrow size={18} />,
};

export function CommandPalette() {
  const navigate = useNavigate();
  const [query, setQuery] = useState("");
  const [debounced] = useDebouncedValue(query.trim(), 150);
  const search = useQuery({
    queryKey: keys.search(debounced),
    queryFn: () => unwrap(api.GET("/api/v1/search", { params: { query: { q: debounced, limit: 12 } } })),
    enabled: debounced.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  const hits = debounced ? (search.data ?? []) : [];
  const wanted = query.trim().toLowerCase();
  const commands = COMMANDS.filter((command) => command.label.toLowerCase().includes(wanted));
  const searching = debounced !== query.trim() || search.isFetching;

  return (
    <Spotlight.Root
      query={query}
      onQueryChange={setQuery}
      shortcut={["mod + K"]}
      tagsToIgnore={[]}
      scrollable
      maxHeight={440}
    >
      <Spotlight.Search
        placeholder="Search contacts, companies, deals and leads, or type a command…"
        aria-label="Search records and commands"
        leftSection={<IconSearch size={18} />}
        rightSection={searching && query.trim() ? <Loader size="xs" /> : null}
      />
      <Spotlight.ActionsList>
        {hits.length > 0 && (
          <Spotlight.ActionsGroup label="Records">
            {hits.map((hit) => (
              <Spotlight.Action
                key={`${hit.type}-${hit.id}`}
                onClick={() => navigate(hitAddress(hit.type, hit.id))}
              >
                <Group justify="space-between" w="100%" wrap="nowrap">
                  <Group gap="sm" wrap="nowrap">
                    {HIT_ICONS[hit.type] ?? <IconUser size={18} />}
                    <Text size="sm" truncate>
                      {hit.title}
                    </Text>
                  </Group>
                  <Text size="xs" c="dimmed">
                    {hit.type}
                  </Text>
                </Group>
              </Spotlight.Action>
            ))}
          </Spotlight.ActionsGroup>
        )}
        {commands.length > 0 && (
          <Spotlight.ActionsGroup label="Commands">
            {commands.map((command) => (
              <Spotlight.Action
                key={command.id}
                label={command.label}
                leftSection={command.icon}
                onClick={() => navigate(command.to)}
              />
            ))}
          </Spotlight.ActionsGroup>
        )}
        {search.isError && <Spotlight.Empty>{messageOf(search.error)}</Spotlight.Empty>}
        {!search.isError && hits.length === 0 && commands.length === 0 && (
          <Spotlight.Empty>{searching ? "Searching…" : `Nothing found for “${query.trim()}”`}</Spotlight.Empty>
        )}
      </Spotlight.ActionsList>
    </Spotlight.Root>
  );
}
