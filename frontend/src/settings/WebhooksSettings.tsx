// Webhooks (owners and admins): add an endpoint (its signing secret is shown this once), turn it off and on,
// send a test, rotate the secret, delete it, and read its recent deliveries (send one again).
import { Alert, Badge, Button, Code, CopyButton, Group, Paper, Skeleton, Stack, Switch, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, messageOf, unwrap, type Schemas } from "../api/client";
import { formatDateTime } from "../crm/format";
import { formErrors, NO_ERRORS, said, type FormErrors } from "./errors";
import { listOf } from "./settingsLogic";

const WEBHOOKS = ["webhooks"] as const;
type Endpoint = Schemas["EndpointOut"];

export function WebhooksSettings() {
  const webhooks = useQuery({ queryKey: WEBHOOKS, queryFn: () => unwrap(api.GET("/api/v1/webhooks")) });
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  return (
    <Stack gap="md">
      {secret && <SecretShown url={secret.url} secret={secret.secret} onDone={() => setSecret(null)} />}
      <NewWebhookForm onCreated={(url, created) => setSecret({ url, secret: created })} />
      <Paper withBorder p="lg" radius="md">
        <Title order={2} size="h5" mb="sm">
          Endpoints
        </Title>
        {webhooks.isPending && <Skeleton height={80} />}
        {webhooks.isError && <Text c="red">{messageOf(webhooks.error)}</Text>}
        {webhooks.data?.length === 0 && (
          <Text size="sm" c="dimmed">
            No webhooks yet.
          </Text>
        )}
        {!!webhooks.data?.length && (
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="xs" aria-label="Webhooks">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>URL</Table.Th>
                  <Table.Th>Events</Table.Th>
                  <Table.Th>On</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {webhooks.data.map((endpoint) => (
                  <EndpointRow key={endpoint.id} endpoint={endpoint} open={open === endpoint.id}
                    onToggle={() => setOpen(open === endpoint.id ? null : endpoint.id)}
                    onSecret={(rotated) => setSecret({ url: endpoint.url, secret: rotated })} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
    </Stack>
  );
}

function SecretShown({ url, secret, onDone }: { url: string; secret: string; onDone: () => void }) {
  return (
    <Alert color="teal" title="Copy the signing secret now: it is shown only this once" data-testid="webhook-secret">
      <Text size="sm" mb={4}>
        Deliveries to {url} are signed with it.
      </Text>
      <Group gap="xs" wrap="nowrap">
        <Code style={{ wordBreak: "break-all" }}>{secret}</Code>
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <Button size="xs" variant="light" onClick={copy}>
              {copied ? "Copied" : "Copy"}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Button size="xs" variant="subtle" mt="xs" onClick={onDone}>
        I have copied it
      </Button>
    </Alert>
  );
}

function NewWebhookForm({ onCreated }: { onCreated: (url: string, secret: string) => void }) {
  const client = useQueryClient();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState("");
  const [description, setDescription] = useState("");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const created = await unwrap(api.POST("/api/v1/webhooks", {
        body: { url: url.trim(), event_types: listOf(events), description: description.trim(), active: true },
      }));
      onCreated(created.webhook.url, created.secret);
      setUrl("");
      setEvents("");
      setDescription("");
      await client.invalidateQueries({ queryKey: WEBHOOKS });
    } catch (error) {
      setErrors(formErrors(error, ["url", "event_types", "description"]));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap="sm">
        <Title order={2} size="h5">
          New webhook
        </Title>
        {errors.form && (
          <Alert color="red" role="alert">
            {errors.form}
          </Alert>
        )}
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <Group align="flex-start" wrap="wrap">
            <TextInput label="URL" placeholder="https://example.com/hooks/rapport" w={320} value={url}
              onChange={(event) => setUrl(event.currentTarget.value)} error={said("The URL", errors.fields.url)} />
            <TextInput label="Events" placeholder="contact.*, deal.updated or *" w={260} value={events}
              description="Names or patterns, separated by commas"
              onChange={(event) => setEvents(event.currentTarget.value)} error={said("The events", errors.fields.event_types)} />
            <TextInput label="Description" w={200} value={description}
              onChange={(event) => setDescription(event.currentTarget.value)} error={said("The description", errors.fields.description)} />
            <Button type="submit" mt={25} loading={busy}>
              Add webhook
            </Button>
          </Group>
        </form>
      </Stack>
    </Paper>
  );
}

function EndpointRow({ endpoint, open, onToggle, onSecret }: { endpoint: Endpoint; open: boolean; onToggle: () => void; onSecret: (secret: string) => void }) {
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const act = async (work: () => Promise<void>, failed: string) => {
    setBusy(true);
    try {
      await work();
    } catch (error) {
      notifications.show({ color: "red", title: failed, message: messageOf(error) });
    } finally {
      setBusy(false);
    }
  };
  const path = { params: { path: { endpoint_id: endpoint.id } } };
  const setActive = (active: boolean) =>
    act(async () => {
      await unwrap(api.PATCH("/api/v1/webhooks/{endpoint_id}", { ...path, body: { active } }));
      await client.invalidateQueries({ queryKey: WEBHOOKS });
    }, "Not changed");
  const sendTest = () =>
    act(async () => {
      await unwrap(api.POST("/api/v1/webhooks/{endpoint_id}/test", path));
      notifications.show({ message: "A webhook.test event is on its way." });
      await client.invalidateQueries({ queryKey: [...WEBHOOKS, endpoint.id] });
    }, "Not sent");
  const rotate = () =>
    act(async () => {
      const answer = await unwrap(api.POST("/api/v1/webhooks/{endpoint_id}/rotate-secret", path));
      onSecret(answer.secret);
    }, "Not rotated");
  const remove = () =>
    act(async () => {
      await unwrap(api.DELETE("/api/v1/webhooks/{endpoint_id}", path));
      await client.invalidateQueries({ queryKey: WEBHOOKS });
      notifications.show({ message: `The webhook to ${endpoint.url} was deleted.` });
    }, "Not deleted");
  return (
    <>
      <Table.Tr data-webhook={endpoint.url}>
        <Table.Td>
          <Text size="sm" style={{ wordBreak: "break-all" }}>
            {endpoint.url}
          </Text>
          {endpoint.description && (
            <Text size="xs" c="dimmed">
              {endpoint.description}
            </Text>
          )}
          {endpoint.disabled_reason && (
            <Text size="xs" c="red">
              Turned off: {endpoint.disabled_reason}
            </Text>
          )}
          {endpoint.failure_streak > 0 && (
            <Text size="xs" c="orange">
              {endpoint.failure_streak} failed deliveries in a row
            </Text>
          )}
        </Table.Td>
        <Table.Td>
          <Group gap={4}>
            {endpoint.event_types.map((name) => (
              <Badge key={name} variant="light" tt="none">
                {name}
              </Badge>
            ))}
          </Group>
        </Table.Td>
        <Table.Td>
          <Switch aria-label={`Webhook to ${endpoint.url} is on`} checked={endpoint.active} disabled={busy}
            onChange={(event) => void setActive(event.currentTarget.checked)} />
        </Table.Td>
        <Table.Td>
          <Group gap={4} wrap="nowrap" justify="flex-end">
            <Button size="xs" variant="subtle" onClick={onToggle} aria-expanded={open}>
              Deliveries
            </Button>
            <Button size="xs" variant="subtle" disabled={busy || !endpoint.active} onClick={() => void sendTest()}>
              Send test
            </Button>
            <Button size="xs" variant="subtle" disabled={busy} onClick={() => void rotate()}>
              New secret
            </Button>
            <Button size="xs" variant="subtle" color="red" disabled={busy} onClick={() => void remove()}>
              Delete
            </Button>
          </Group>
        </Table.Td>
      </Table.Tr>
      {open && (
        <Table.Tr>
          <Table.Td colSpan={4} bg="var(--mantine-color-gray-0)">
            <Deliveries endpointId={endpoint.id} />
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

function Deliveries({ endpointId }: { endpointId: number }) {
  const client = useQueryClient();
  const deliveries = useInfiniteQuery({
    queryKey: [...WEBHOOKS, endpointId, "deliveries"],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/v1/webhooks/{endpoint_id}/deliveries", {
        params: { path: { endpoint_id: endpointId }, query: { limit: 20, ...(pageParam === null ? {} : { cursor: pageParam }) } },
      })),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const items = deliveries.data?.pages.flatMap((page) => page.items) ?? [];
  const redeliver = async (id: number) => {
    try {
      await unwrap(api.POST("/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver", {
        params: { path: { endpoint_id: endpointId, delivery_id: id } },
      }));
      notifications.show({ message: "Sending it again." });
      await client.invalidateQueries({ queryKey: [...WEBHOOKS, endpointId] });
    } catch (error) {
      notifications.show({ color: "red", title: "Not sent again", message: messageOf(error) });
    }
  };
  return (
    <Stack gap="xs" py="xs">
      <Group justify="space-between">
        <Text size="sm" fw={600}>
          Recent deliveries
        </Text>
        <Button size="xs" variant="subtle" onClick={() => void deliveries.refetch()}>
          Refresh
        </Button>
      </Group>
      {deliveries.isPending && <Skeleton height={40} />}
      {deliveries.isError && <Text c="red">{messageOf(deliveries.error)}</Text>}
      {deliveries.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed">
          Nothing delivered yet.
        </Text>
      )}
      {items.length > 0 && (
        <Table verticalSpacing={4} aria-label="Deliveries">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Event</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Last answer</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr key={item.id} data-delivery={item.event_name}>
                <Table.Td>
                  <Code>{item.event_name}</Code>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={item.status === "succeeded" ? "teal" : item.status === "failed" ? "red" : "gray"}>
                    {item.status}
                  </Badge>
                </Table.Td>
                <Table.Td>{item.attempts}</Table.Td>
                <Table.Td>{item.last_status_code ?? "—"}</Table.Td>
                <Table.Td>{formatDateTime(item.created_at)}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="subtle" onClick={() => void redeliver(item.id)}>
                    Send again
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {deliveries.hasNextPage && (
        <Button size="xs" variant="light" loading={deliveries.isFetchingNextPage} onClick={() => void deliveries.fetchNextPage()}>
          Load more
        </Button>
      )}
    </Stack>
  );
}
