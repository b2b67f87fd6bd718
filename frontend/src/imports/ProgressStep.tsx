// Step 3: the job's phase and progress (the page polls the import), and a cancel that throws it all away.
import { Alert, Badge, Button, Group, Modal, Progress, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconAlertTriangle, IconPlayerStop } from "@tabler/icons-react";
import { useMutation } from "@tanstack/react-query";
import { messageOf } from "../api/client";
import { cancelImport, type Import } from "./api";
import { phaseLabel, rateLabel, rowsLabel, TYPE_LABELS } from "./status";

export function ProgressStep({ imported, onChanged }: { imported: Import; onChanged: (next: Import) => void }) {
  const [confirming, { open, close }] = useDisclosure(false);
  const cancel = useMutation({
    mutationFn: () => cancelImport(imported.id),
    onSuccess: onChanged,
    onSettled: close,
  });
  const { progress } = imported;
  const stopping = imported.cancel_requested;
  const queued = imported.status === "queued";

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Title order={2} size="h4">
          Importing {TYPE_LABELS[imported.object_type].plural.toLowerCase()} from {imported.filename}
        </Title>
        <Badge variant="light" color={stopping ? "orange" : "blue"} data-testid="import-phase" aria-live="polite">
          {phaseLabel(imported)}
        </Badge>
      </Group>
      <Progress
        value={progress.percent}
        size="xl"
        radius="xl"
        striped
        animated={!stopping}
        color={stopping ? "orange" : undefined}
        aria-label="Import progress"
      />
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Text size="sm" fw={600}>
          {progress.percent}%
        </Text>
        <Text size="sm" c="dimmed">
          {queued ? "Starts as soon as a worker is free." : `${rowsLabel(progress)} · ${rateLabel(progress)}`}
        </Text>
      </Group>
      <Text size="sm" c="dimmed">
        Nothing is written until the whole file is through: you can leave this page and come back from “Your
        imports”.
      </Text>
      {cancel.isError && (
        <Alert color="red" icon={<IconAlertTriangle />} role="alert">
          {messageOf(cancel.error)}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button
          variant="default"
          color="red"
          leftSection={<IconPlayerStop size={16} />}
          onClick={open}
          disabled={stopping}
        >
          {stopping ? "Cancelling…" : "Cancel import"}
        </Button>
      </Group>

      <Modal opened={confirming} onClose={close} title="Cancel this import?" centered>
        <Stack>
          <Text size="sm">
            The import stops and nothing from {imported.filename} is written. This cannot be undone.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close} data-autofocus>
              Keep importing
            </Button>
            <Button color="red" loading={cancel.isPending} onClick={() => cancel.mutate()}>
              Cancel import
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
