// API keys: create one (its secret is shown this once), see them, revoke one.
import { Alert, Badge, Button, Checkbox, Code, CopyButton, Group, Paper, Skeleton, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, messageOf, unwrap } from "../api/client";
import { useMemberEmails } from "../api/workspaceData";
import { formatDate } from "../crm/format";
import { formErrors, NO_ERRORS, type FormErrors } from "./errors";

const KEYS = ["api-keys"] as const;

export function ApiKeysSettings() {
  const apiKeys = useQuery({ queryKey: KEYS, queryFn: () => unwrap(api.GET("/api/v1/api-keys")) });
  const client = useQueryClient();
  const owners = useMemberEmails();
  const revoke = async (id: string, name: string) => {
    try {
      await unwrap(api.DELETE("/api/v1/api-keys/{key_id}", { params: { path: { key_id: id } } }));
      await client.invalidateQueries({ queryKey: KEYS });
      notifications.show({ message: `The key “${name}” was revoked.` });
    } catch (error) {
      notifications.show({ color: "red", title: "Not revoked", message: messageOf(error) });
    }
  };
  return (
    <Stack gap="md">
      <NewKeyForm />
      <Paper withBorder p="lg" radius="md">
        <Title order={2} size="h5" mb="sm">
          Keys
        </Title>
        {apiKeys.isPending && <Skeleton height={80} />}
        {apiKeys.isError && <Text c="red">{messageOf(apiKeys.error)}</Text>}
        {apiKeys.data?.length === 0 && (
          <Text size="sm" c="dimmed">
            No API keys yet.
          </Text>
        )}
        {!!apiKeys.data?.length && (
          <Table.ScrollContainer minWidth={560}>
            <Table verticalSpacing="xs" aria-label="API keys">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Key starts</Table.Th>
                  <Table.Th>Scopes</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {apiKeys.data.map((key) => (
                  <Table.Tr key={key.id} data-api-key={key.name}>
                    <Table.Td>
                      <Text size="sm">{key.name}</Text>
                      <Text size="xs" c="dimmed">
                        {owners.get(key.user_id) ?? ""}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Code>{key.prefix}…</Code>
                    </Table.Td>
                    <Table.Td>{key.scopes.join(", ")}</Table.Td>
                    <Table.Td>{key.last_used_at ? formatDate(key.last_used_at) : "never"}</Table.Td>
                    <Table.Td>
                      {key.revoked_at ? (
                        <Badge color="gray">revoked</Badge>
                      ) : (
                        <Button size="xs" variant="subtle" color="red" onClick={() => void revoke(key.id, key.name)}>
                          Revoke
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
    </Stack>
  );
}

function NewKeyForm() {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [write, setWrite] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const created = await unwrap(api.POST("/api/v1/api-keys", { body: { name: name.trim(), scopes: write ? ["read", "write"] : ["read"] } }));
      setSecret(created.key);
      setName("");
      await client.invalidateQueries({ queryKey: KEYS });
    } catch (error) {
      setErrors(formErrors(error, ["name", "scopes"]));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap="sm">
        <Title order={2} size="h5">
          New API key
        </Title>
        {secret && (
          <Alert color="teal" title="Copy the key now: it is shown only this once" data-testid="api-key-secret">
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
            <Button size="xs" variant="subtle" mt="xs" onClick={() => setSecret(null)}>
              I have copied it
            </Button>
          </Alert>
        )}
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
            <TextInput label="Name" placeholder="Zapier" w={260} value={name} onChange={(event) => setName(event.currentTarget.value)}
              error={errors.fields.name ? `The name ${errors.fields.name}` : undefined} />
            <Checkbox label="May change records (write)" mt={32} checked={write} onChange={(event) => setWrite(event.currentTarget.checked)}
              error={errors.fields.scopes} />
            <Button type="submit" mt={25} loading={busy}>
              Create key
            </Button>
          </Group>
        </form>
      </Stack>
    </Paper>
  );
}
