// Step 1: what the file holds and the file itself (picked or dropped), sent as the request's body.
import { Alert, Button, Group, Radio, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconFileSpreadsheet, IconUpload, IconX } from "@tabler/icons-react";
import { useMutation } from "@tanstack/react-query";
import { useId, useRef, useState, type DragEvent } from "react";
import { ApiError, messageOf } from "../api/client";
import { MAX_BYTES, uploadImport, type ImportType, type Uploaded } from "./api";
import { sizeLabel, TYPE_LABELS } from "./status";

const ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export function UploadStep({
  onUploaded,
  initialType = "contact",
}: {
  onUploaded: (uploaded: Uploaded) => void;
  /** The type chosen first (a table's "Import" button passes its own). */
  initialType?: ImportType;
}) {
  const [type, setType] = useState<ImportType>(initialType);
  const [file, setFile] = useState<File | null>(null);
  const [over, setOver] = useState(false);
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const upload = useMutation({
    mutationFn: (chosen: File) => {
      if (chosen.size > MAX_BYTES) {
        return Promise.reject(new Error(`The file is ${sizeLabel(chosen.size)}; at most 512 MB can be imported.`));
      }
      return uploadImport(type, chosen);
    },
    onSuccess: onUploaded,
  });

  const choose = (chosen: File | null) => {
    setFile(chosen);
    upload.reset();
    if (!chosen && input.current) {
      input.current.value = ""; // choosing the same file again is a change
    }
  };
  const dropped = (event: DragEvent<HTMLLabelElement>) => {
    event.preventDefault();
    setOver(false);
    choose(event.dataTransfer.files[0] ?? null);
  };

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (file) {
          upload.mutate(file);
        }
      }}
    >
      <Stack gap="md">
        <Radio.Group
          label="What does the file hold?"
          value={type}
          onChange={(value) => setType(value as ImportType)}
        >
          <Group gap="lg" mt="xs">
            {(Object.keys(TYPE_LABELS) as ImportType[]).map((value) => (
              <Radio key={value} value={value} label={TYPE_LABELS[value].plural} />
            ))}
          </Group>
        </Radio.Group>

        <label
          className="import-drop"
          htmlFor={inputId}
          data-over={over}
          onDragOver={(event) => {
            event.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={dropped}
        >
          <input
            id={inputId}
            ref={input}
            type="file"
            accept={ACCEPT}
            aria-label="CSV or XLSX file"
            onChange={(event) => choose(event.currentTarget.files?.[0] ?? null)}
          />
          <Stack align="center" gap={6}>
            <IconUpload size={32} stroke={1.5} color="var(--mantine-color-indigo-6)" />
            <Text fw={600}>Drop a CSV or XLSX file here, or click to choose one</Text>
            <Text size="sm" c="dimmed">
              The first row names the columns. Up to 512 MB.
            </Text>
          </Stack>
        </label>

        {file && (
          <Group gap="xs" wrap="nowrap" data-testid="chosen-file">
            <IconFileSpreadsheet size={20} stroke={1.5} />
            <Text size="sm" truncate>
              {file.name}
            </Text>
            <Text size="sm" c="dimmed" style={{ flexShrink: 0 }}>
              {sizeLabel(file.size)}
            </Text>
            <Button
              variant="subtle"
              color="gray"
              size="compact-sm"
              leftSection={<IconX size={14} />}
              onClick={() => choose(null)}
              aria-label="Remove the file"
            >
              Remove
            </Button>
          </Group>
        )}

        {upload.isError && (
          <Alert color="red" icon={<IconAlertTriangle />} title="This file cannot be imported" role="alert">
            {fileMessage(upload.error)}
          </Alert>
        )}

        <Group justify="flex-end">
          <Button type="submit" disabled={!file} loading={upload.isPending} leftSection={<IconUpload size={16} />}>
            Upload file
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The API names the file's problem on the `file` field ("the file is empty"); say it as a sentence. */
function fileMessage(error: unknown): string {
  const said = error instanceof ApiError ? error.fieldErrors().file : undefined;
  if (!said) {
    return messageOf(error);
  }
  const sentence = said.charAt(0).toUpperCase() + said.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
