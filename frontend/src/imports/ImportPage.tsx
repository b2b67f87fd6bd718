// The import wizard: upload a file, map its columns, follow the job, fix the rows that failed. The import
// being worked on is in the address (`/import?id=…`), so a reload or the "Your imports" list resumes it
// at the step its status says.
import "./imports.css";

import {
  Alert,
  Button,
  Center,
  Group,
  Loader,
  Paper,
  Stack,
  Stepper,
  Text,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { IconAlertTriangle, IconPlus } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { messageOf } from "../api/client";
import { keys } from "../api/keys";
import { getImport, importKeys, type Import, type ImportType, type Uploaded } from "./api";
import { ImportList } from "./ImportList";
import { MapStep } from "./MapStep";
import { ProgressStep } from "./ProgressStep";
import { ResultStep } from "./ResultStep";
import { isActive, STEPS, stepOf } from "./status";
import { UploadStep } from "./UploadStep";

const POLL_MS = 500;

function importTypeOf(value: string | null): ImportType {
  return value === "company" || value === "lead" ? value : "contact";
}

export default function ImportPage() {
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const id = Number(params.get("id")) || null;
  // The upload's answer holds the suggested mapping and the field list; a reload loses it (see MapStep).
  const [uploaded, setUploaded] = useState<Uploaded | null>(null);
  const phone = useMediaQuery("(max-width: 36em)");

  const current = useQuery({
    queryKey: importKeys.one(id ?? 0),
    queryFn: () => getImport(id as number),
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data && isActive(query.state.data.status) ? POLL_MS : false),
  });
  const status = current.data?.status ?? null;

  // When the job ends, the list of imports and the records it wrote are out of date.
  useEffect(() => {
    if (status === "done" || status === "failed" || status === "cancelled") {
      void client.invalidateQueries({ queryKey: importKeys.list });
      if (current.data?.object_type === "contact" || current.data?.object_type === "company") {
        void client.invalidateQueries({ queryKey: keys.records(current.data.object_type) });
      }
    }
  }, [status, current.data?.object_type, client]);

  const open = (next: Import | null) => {
    if (next) {
      client.setQueryData(importKeys.one(next.id), next);
    }
    void client.invalidateQueries({ queryKey: importKeys.list });
    setParams(next ? { id: String(next.id) } : {});
  };

  const step = id === null ? 0 : stepOf(status);
  return (
    <Stack gap="lg" maw={1100}>
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Title order={1} size="h2">
          Import
        </Title>
        {id !== null && (
          <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => open(null)}>
            New import
          </Button>
        )}
      </Group>
      {/* Mantine's steps are buttons; these are not for clicking, so assistive technology gets a sentence. */}
      <div aria-hidden>
        <Stepper active={step} size="sm" iconSize={phone ? 28 : 32}>
          {STEPS.map((label, index) => (
            <Stepper.Step key={label} label={phone && index !== step ? undefined : label} />
          ))}
        </Stepper>
      </div>
      <VisuallyHidden aria-live="polite">
        Step {step + 1} of {STEPS.length}: {STEPS[step]}
      </VisuallyHidden>
      <Paper withBorder radius="md" p={{ base: "sm", sm: "lg" }}>
        {id === null ? (
          <UploadStep
            initialType={importTypeOf(params.get("type"))}
            onUploaded={(answer) => {
              setUploaded(answer);
              open(answer);
            }}
          />
        ) : current.isPending ? (
          <Center py="xl">
            <Loader aria-label="Loading the import" />
          </Center>
        ) : current.isError ? (
          <Stack>
            <Alert color="red" icon={<IconAlertTriangle />} title="This import cannot be shown" role="alert">
              {messageOf(current.error)}
            </Alert>
            <Group>
              <Button variant="light" onClick={() => current.refetch()}>
                Try again
              </Button>
              <Button variant="default" onClick={() => open(null)}>
                Start a new import
              </Button>
            </Group>
          </Stack>
        ) : current.data.status === "uploaded" ? (
          <MapStep
            key={current.data.id}
            imported={current.data}
            uploaded={uploaded?.id === current.data.id ? uploaded : null}
            onStarted={open}
            onBack={() => open(null)}
          />
        ) : isActive(current.data.status) ? (
          <ProgressStep
            imported={current.data}
            onChanged={(next) => client.setQueryData(importKeys.one(next.id), next)}
          />
        ) : (
          <ResultStep key={current.data.id} imported={current.data} onRetried={open} onNew={() => open(null)} />
        )}
      </Paper>
      <Stack gap="xs">
        <Title order={2} size="h4">
          Your imports
        </Title>
        <Text size="sm" c="dimmed">
          Imports are yours alone: other members do not see them.
        </Text>
        <ImportList current={id} />
      </Stack>
    </Stack>
  );
}
