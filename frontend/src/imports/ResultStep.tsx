// Step 4: what the import did (counts), why it stopped (failed, cancelled), and the failed rows to fix.
import { Alert, Anchor, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck, IconPlayerStop } from "@tabler/icons-react";
import { Link } from "react-router";
import type { Import } from "./api";
import { FailedRows } from "./FailedRows";
import { TYPE_LABELS } from "./status";

const LISTS: Partial<Record<Import["object_type"], string>> = { contact: "/contacts", company: "/companies" };

export function ResultStep({
  imported,
  onRetried,
  onNew,
}: {
  imported: Import;
  onRetried: (retry: Import) => void;
  onNew: () => void;
}) {
  const plural = TYPE_LABELS[imported.object_type].plural.toLowerCase();
  const list = LISTS[imported.object_type];
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={2} size="h4">
          {imported.filename}
        </Title>
        {imported.retry_of !== null && (
          <Text size="sm" c="dimmed">
            Fixed rows of{" "}
            <Anchor component={Link} to={`/import?id=${imported.retry_of}`}>
              import {imported.retry_of}
            </Anchor>
          </Text>
        )}
      </Stack>

      {imported.status === "cancelled" && (
        <Alert color="orange" icon={<IconPlayerStop />} title="Import cancelled" role="status">
          Nothing from this file was written.
        </Alert>
      )}
      {imported.status === "failed" && (
        <Alert color="red" icon={<IconAlertTriangle />} title="The import failed" role="alert">
          {imported.error ?? "The import stopped."} Nothing from this file was written.
        </Alert>
      )}
      {imported.status === "done" && (
        <>
          <Alert
            color={imported.counts.failed ? "yellow" : "teal"}
            icon={imported.counts.failed ? <IconAlertTriangle /> : <IconCircleCheck />}
            title={imported.counts.failed ? "Imported, with rows to fix" : "Imported"}
            role="status"
          >
            {imported.counts.failed
              ? "The rows below were not imported. Fix their cells and retry them, or download them as CSV."
              : "No row failed."}
          </Alert>
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" data-testid="import-counts">
            <Count label="Created" value={imported.counts.created} color="teal" />
            <Count label="Updated" value={imported.counts.updated} color="indigo" />
            <Count label="Skipped" value={imported.counts.skipped} color="gray" />
            <Count label="Failed" value={imported.counts.failed} color={imported.counts.failed ? "red" : "gray"} />
          </SimpleGrid>
        </>
      )}

      {imported.status === "done" && imported.counts.failed > 0 && (
        <FailedRows imported={imported} onRetried={onRetried} />
      )}

      <Group justify="flex-end" gap="sm">
        {list && imported.status === "done" && (
          <Button component={Link} to={list} variant="default">
            Open {plural}
          </Button>
        )}
        <Button variant="light" onClick={onNew}>
          Import another file
        </Button>
      </Group>
    </Stack>
  );
}

function Count({ label, value, color }: { label: string; value: number; color: string }) {
  return (
    <Paper withBorder radius="md" p="sm" role="group" aria-label={`${label}: ${value}`}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={28} fw={700} c={value ? color : "dimmed"} lh={1.2}>
        {value.toLocaleString()}
      </Text>
    </Paper>
  );
}
