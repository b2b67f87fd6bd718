// The workspace's audit log (owners and admins): newest first, filtered by action, actor, object and days, more
// loaded on request (keyset), and the same filters exported as CSV.
import { Alert, Anchor, Autocomplete, Button, Code, Group, Paper, Select, Skeleton, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { api, messageOf, unwrap } from "../api/client";
import { useMembers } from "../api/workspaceData";
import { formatDateTime } from "../crm/format";
import { auditExportHref, auditQuery, changesSummary, NO_AUDIT_FILTERS, type AuditFilters } from "./settingsLogic";

const PAGE = 50;

/** Actions the API records, offered while typing (any other exact action name may be typed). */
const KNOWN_ACTIONS = [
  "auth.signed_in", "auth.signed_out", "auth.sign_in_failed", "auth.password_reset", "auth.password_reset_requested",
  "totp.enabled", "totp.disabled", "membership.created", "membership.updated", "invitation.accepted",
  "invitation.revoked", "role.updated", "role.deleted", "custom_field.created", "pipeline.updated",
  "pipeline.deleted", "webhook.created", "webhook.updated", "webhook.deleted", "webhook.secret_rotated",
];

export function AuditLogSettings() {
  const [draft, setDraft] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const [filters, setFilters] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const members = useMembers();
  const query = auditQuery(filters);
  const events = useInfiniteQuery({
    queryKey: ["audit", query],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/v1/audit", { params: { query: { ...query, limit: PAGE, ...(pageParam === null ? {} : { cursor: pageParam }) } } })),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];
  const memberOptions = (members.data?.items ?? []).map((member) => ({ value: member.user_id, label: member.email }));
  const actions = useMemo(() => [...new Set([...KNOWN_ACTIONS, ...items.map((item) => item.action)])].sort(), [items]);
  const filtered = Object.keys(query).length > 0;
  return (
    <Stack gap="md">
      <Paper withBorder p="lg" radius="md">
        <form
          noValidate
          aria-label="Audit log filters"
          onSubmit={(event) => {
            event.preventDefault();
            setFilters(draft);
          }}
        >
          <Group align="flex-end" wrap="wrap">
            <Autocomplete label="Action" placeholder="any" w={220} data={actions} value={draft.action}
              onChange={(action) => setDraft({ ...draft, action })} />
            <Select label="Actor" placeholder="anyone" w={240} data={memberOptions} value={draft.actor_user_id} clearable searchable
              onChange={(actor_user_id) => setDraft({ ...draft, actor_user_id })} />
            <TextInput label="Object type" placeholder="contact, user, webhook…" w={180} value={draft.object_type}
              onChange={(event) => setDraft({ ...draft, object_type: event.currentTarget.value })} />
            <TextInput label="Object id" w={160} value={draft.object_id}
              onChange={(event) => setDraft({ ...draft, object_id: event.currentTarget.value })} />
            <TextInput label="From day" type="date" w={160} value={draft.from}
              onChange={(event) => setDraft({ ...draft, from: event.currentTarget.value })} />
            <TextInput label="To day" type="date" w={160} value={draft.to}
              onChange={(event) => setDraft({ ...draft, to: event.currentTarget.value })} />
            <Button type="submit">Apply</Button>
            {filtered && (
              <Button variant="subtle" onClick={() => {
                setDraft(NO_AUDIT_FILTERS);
                setFilters(NO_AUDIT_FILTERS);
              }}>
                Clear filters
              </Button>
            )}
          </Group>
        </form>
      </Paper>
      <Paper withBorder p="lg" radius="md">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h5">
            Events, newest first
          </Title>
          <Anchor href={auditExportHref(filters)} download size="sm">
            Export as CSV
          </Anchor>
        </Group>
        {events.isPending && <Skeleton height={160} />}
        {events.isError && (
          <Alert color="red" role="alert">
            {messageOf(events.error)}
          </Alert>
        )}
        {events.isSuccess && items.length === 0 && (
          <Text size="sm" c="dimmed">
            {filtered ? "No events match these filters." : "No events yet."}
          </Text>
        )}
        {items.length > 0 && (
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing="xs" aria-label="Audit log">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={170}>When</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Actor</Table.Th>
                  <Table.Th>Object</Table.Th>
                  <Table.Th>Changes</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((item) => (
                  <Table.Tr key={item.id} data-audit-action={item.action}>
                    <Table.Td>{formatDateTime(item.occurred_at)}</Table.Td>
                    <Table.Td>
                      <Code>{item.action}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{item.actor}</Text>
                      <Text size="xs" c="dimmed">
                        {[item.via, item.ip].filter(Boolean).join(" · ")}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">
                        {item.object_type} {item.object_id}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" lineClamp={2} title={changesSummary(item.changes)}>
                        {changesSummary(item.changes)}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {events.hasNextPage && (
          <Group justify="center" mt="sm">
            <Button variant="light" loading={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()}>
              Load more
            </Button>
          </Group>
        )}
      </Paper>
    </Stack>
  );
}
