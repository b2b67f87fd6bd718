// Export the table as shown (filter, search, sort, columns) to CSV or XLSX: a job writes the file while
// this dialog follows its progress, then offers the download.
import { Alert, Anchor, Button, Group, Modal, Progress, SegmentedControl, Stack, Text } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, messageOf, unwrapAs } from "../api/client";
import { keys } from "../api/keys";
import type { Filter, RecordType } from "../api/records";

interface ExportState {
  id: number;
  status: "queued" | "running" | "done" | "failed";
  rows: number;
  error: string | null;
  format: string;
}

export interface ExportRequest {
  filter: Filter | undefined;
  sort: string;
  fields: string[];
  q: string;
}

export function ExportButton({
  type,
  request,
  estimate,
}: {
  type: RecordType;
  request: ExportRequest;
  estimate: number | null;
}) {
  const [opened, setOpened] = useState(false);
  const [format, setFormat] = useState<"csv" | "xlsx">("csv");
  const [started, setStarted] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const progress = useQuery({
    queryKey: keys.exports(started ?? 0),
    queryFn: async () =>
      unwrapAs<ExportState>(api.GET("/api/v1/exports/{export_id}", { params: { path: { export_id: started ?? 0 } } })),
    enabled: started !== null,
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === "done" || status === "failed" ? false : 1000;
    },
  });

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await unwrapAs<ExportState>(
        api.POST("/api/v1/exports", {
          body: {
            object_type: type,
            format,
            filter: request.filter ?? {},
            sort: request.sort,
            fields: request.fields,
            q: request.q || null,
          },
        }),
      );
      setStarted(created.id);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setOpened(false);
    setStarted(null);
    setError(null);
  };
  const state = progress.data;
  const done = state?.status === "done";
  const percent = done ? 100 : estimate && state ? Math.min(99, (state.rows / Math.max(estimate, 1)) * 100) : 0;

  return (
    <>
      <Button variant="default" leftSection={<IconDownload size={16} />} onClick={() => setOpened(true)}>
        Export
      </Button>
      <Modal opened={opened} onClose={close} title="Export">
        <Stack gap="sm">
          <Text size="sm">
            The records of this table as it is filtered, searched and sorted, with its columns.
          </Text>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          {started === null ? (
            <>
              <SegmentedControl
                aria-label="Format"
                value={format}
                onChange={(value) => setFormat(value as "csv" | "xlsx")}
                data={[
                  { value: "csv", label: "CSV" },
                  { value: "xlsx", label: "Excel (XLSX)" },
                ]}
              />
              <Group justify="flex-end">
                <Button variant="default" onClick={close}>
                  Cancel
                </Button>
                <Button onClick={() => void start()} loading={busy}>
                  Start export
                </Button>
              </Group>
            </>
          ) : (
            <Stack gap="xs" aria-live="polite">
              <Progress value={percent} animated={!done && state?.status !== "failed"} aria-label="Export progress" />
              <Text size="sm" data-testid="export-status">
                {state?.status === "failed"
                  ? `The export failed: ${state.error ?? "unknown error"}`
                  : done
                    ? `Done: ${state.rows.toLocaleString()} rows.`
                    : `${state?.status === "running" ? "Writing" : "Waiting for a worker"}… ${(state?.rows ?? 0).toLocaleString()} rows so far`}
              </Text>
              {progress.isError && <Text size="sm" c="red">{messageOf(progress.error)}</Text>}
              {done && (
                <Anchor href={`/api/v1/exports/${started}/download`} download fw={600}>
                  Download {type} export ({state.format.toUpperCase()})
                </Anchor>
              )}
            </Stack>
          )}
        </Stack>
      </Modal>
    </>
  );
}
