// Merge a contact or a company with a likely duplicate: pick the duplicate, then field by field which value
// stays (this record survives; its related deals, activities, notes and tags gather on it). An undo is
// offered for a day.
import { Alert, Badge, Button, Group, Modal, Radio, Skeleton, Stack, Table, Text, UnstyledButton } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api, messageOf, unwrapAs } from "../api/client";
import { keys } from "../api/keys";
import { COLLECTION, getRecord, type Company, type Contact, type Entry } from "../api/records";
import { useMemberEmails } from "../api/workspaceData";
import { useNames } from "./useNames";

type MergeType = "contact" | "company";

interface Duplicate {
  id: number;
  title: string;
  email: string | null;
  score: number;
}

const FIELDS: Record<MergeType, { key: string; label: string }[]> = {
  contact: [
    { key: "first_name", label: "First name" },
    { key: "last_name", label: "Last name" },
    { key: "emails", label: "Emails" },
    { key: "phones", label: "Phones" },
    { key: "title", label: "Title" },
    { key: "company", label: "Company" },
    { key: "owner_id", label: "Owner" },
    { key: "custom", label: "Custom fields" },
  ],
  company: [
    { key: "name", label: "Name" },
    { key: "domain", label: "Domain" },
    { key: "industry", label: "Industry" },
    { key: "parent", label: "Parent company" },
    { key: "owner_id", label: "Owner" },
    { key: "custom", label: "Custom fields" },
  ],
};

function shown(value: unknown, key: string, companies: Map<number, string>, members: Map<string, string>): string {
  if (value === null || value === undefined || value === "") return "—";
  if (key === "emails" || key === "phones") return (value as Entry[]).map((entry) => entry.value).join(", ") || "—";
  if (key === "company" || key === "parent") return companies.get(value as number) ?? `#${String(value)}`;
  if (key === "owner_id") return members.get(String(value)) ?? "A former member";
  if (key === "custom") {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length ? entries.map(([name, item]) => `${name}: ${String(item)}`).join(", ") : "—";
  }
  return String(value);
}

export function MergeModal({
  type,
  record,
  opened,
  onClose,
}: {
  type: MergeType;
  record: Contact | Company;
  opened: boolean;
  onClose: () => void;
}) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [other, setOther] = useState<number | null>(null);
  const [take, setTake] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const duplicates = useQuery({
    queryKey: [...keys.records(type), "duplicates", record.id],
    queryFn: () =>
      unwrapAs<Duplicate[]>(api.GET("/api/v1/duplicates/{object_type}/{record_id}", { params: { path: { object_type: type, record_id: record.id } } })),
    enabled: opened,
  });
  const merged = useQuery({
    queryKey: keys.record(type, other ?? 0),
    queryFn: () => getRecord(type, other ?? 0),
    enabled: other !== null,
  });
  const mine = record as Record<string, unknown>;
  const theirs = (merged.data ?? {}) as Record<string, unknown>;
  const companyIds = FIELDS[type].filter((field) => field.key === "company" || field.key === "parent").flatMap((field) => [mine[field.key], theirs[field.key]]);
  const companies = useNames("company", [companyIds as (number | null)[]]);
  const members = useMemberEmails();
  const fields = FIELDS[type].filter((field) => field.key in mine || field.key in theirs);

  const close = () => {
    setOther(null);
    setTake(new Set());
    setError(null);
    onClose();
  };
  const merge = async () => {
    if (other === null) return;
    setBusy(true);
    setError(null);
    try {
      const result = await unwrapAs<{ merge_id: number }>(
        api.POST("/api/v1/merges", { body: { object_type: type, survivor_id: record.id, merged_id: other, take: [...take] } }),
      );
      await client.invalidateQueries({ queryKey: keys.records(type) });
      close();
      const notice = notifications.show({
        title: "Merged",
        autoClose: 15_000,
        message: (
          <Group gap="xs">
            <Text size="sm">The duplicate's deals, activities and notes are here now.</Text>
            <Button
              size="compact-sm"
              variant="light"
              onClick={() => {
                notifications.hide(notice);
                void unwrapAs(api.POST("/api/v1/merges/{merge_id}/undo", { params: { path: { merge_id: result.merge_id } } }))
                  .then(() => client.invalidateQueries({ queryKey: keys.records(type) }))
                  .then(() => notifications.show({ color: "teal", message: "The merge was undone." }))
                  .catch((caught: unknown) => notifications.show({ color: "red", message: messageOf(caught) }));
              }}
            >
              Undo
            </Button>
          </Group>
        ),
      });
      navigate(`/${COLLECTION[type]}/${record.id}`);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={close} title="Merge duplicates" size="xl">
      <Stack gap="sm">
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        {other === null ? (
          <>
            <Text size="sm">Likely duplicates of this {type}, best match first:</Text>
            {duplicates.isPending && <Skeleton height={80} />}
            {duplicates.isError && <Text size="sm" c="red">{messageOf(duplicates.error)}</Text>}
            {duplicates.data?.length === 0 && (
              <Text size="sm" c="dimmed">
                No likely duplicate found.
              </Text>
            )}
            {duplicates.data?.map((duplicate) => (
              <UnstyledButton key={duplicate.id} className="choice-row" onClick={() => setOther(duplicate.id)} aria-label={`Merge with ${duplicate.title}`}>
                <Group justify="space-between" wrap="nowrap">
                  <div>
                    <Text size="sm" fw={500}>
                      {duplicate.title}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {duplicate.email ?? ""}
                    </Text>
                  </div>
                  <Badge variant="light">{Math.round(duplicate.score * 100)}% alike</Badge>
                </Group>
              </UnstyledButton>
            ))}
          </>
        ) : merged.isPending ? (
          <Skeleton height={200} />
        ) : merged.isError ? (
          <Text size="sm" c="red">
            {messageOf(merged.error)}
          </Text>
        ) : (
          <>
            <Text size="sm">For each field, choose the value the merged record keeps. The other record is removed (restorable).</Text>
            <Table.ScrollContainer minWidth={520}>
              <Table verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Field</Table.Th>
                    <Table.Th>This record</Table.Th>
                    <Table.Th>The duplicate</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {fields.map((field) => {
                    const fromOther = take.has(field.key);
                    const choose = (useOther: boolean) =>
                      setTake((current) => {
                        const next = new Set(current);
                        if (useOther) next.add(field.key);
                        else next.delete(field.key);
                        return next;
                      });
                    return (
                      <Table.Tr key={field.key}>
                        <Table.Td>
                          <Text size="sm" c="dimmed">
                            {field.label}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Radio
                            name={`merge-${field.key}`}
                            aria-label={`${field.label}: keep this record's`}
                            checked={!fromOther}
                            onChange={() => choose(false)}
                            label={shown(mine[field.key], field.key, companies, members)}
                          />
                        </Table.Td>
                        <Table.Td>
                          <Radio
                            name={`merge-${field.key}`}
                            aria-label={`${field.label}: take the duplicate's`}
                            checked={fromOther}
                            onChange={() => choose(true)}
                            label={shown(theirs[field.key], field.key, companies, members)}
                          />
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Group justify="space-between">
              <Button variant="subtle" onClick={() => setOther(null)}>
                Back
              </Button>
              <Group gap="xs">
                <Button variant="default" onClick={close}>
                  Cancel
                </Button>
                <Button onClick={() => void merge()} loading={busy}>
                  Merge
                </Button>
              </Group>
            </Group>
          </>
        )}
      </Stack>
    </Modal>
  );
}
