// Step 2: a field for each column of the file (the API's suggestion first), what to do with rows that
// match an existing record, then start. The start call's field errors appear next to their column.
import {
  Alert,
  Button,
  Center,
  Group,
  Loader,
  Radio,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { IconAlertTriangle, IconArrowLeft, IconInfoCircle, IconPlayerPlay } from "@tabler/icons-react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { ErrorState } from "../shell/ErrorState";
import {
  importFields,
  importKeys,
  startImport,
  type Import,
  type ImportField,
  type ImportType,
  type OnMatch,
  type Uploaded,
} from "./api";
import {
  hasProblems,
  initialMapping,
  localProblems,
  mappedCount,
  mergeProblems,
  NO_PROBLEMS,
  problemsFromError,
  sampleValues,
  withField,
  type MappingProblems,
} from "./mapping";
import { sizeLabel, TYPE_LABELS } from "./status";

const SKIP = "-";

export function MapStep({
  imported,
  uploaded,
  onStarted,
  onBack,
}: {
  imported: Import;
  /** The upload's answer, when this page made it (a reload has only the import). */
  uploaded: Uploaded | null;
  onStarted: (started: Import) => void;
  onBack: () => void;
}) {
  // An import waiting for its mapping is answered with the suggestion again, so a reload keeps it.
  const suggested = uploaded ?? (hasSuggestion(imported) ? imported : null);
  const fields = useQuery({
    queryKey: importKeys.fields(imported.object_type),
    queryFn: () => importFields(imported.object_type),
    enabled: suggested === null,
    staleTime: 60_000,
  });
  const known = suggested?.fields ?? fields.data;
  if (known) {
    return (
      <MappingForm imported={imported} uploaded={suggested} fields={known} onStarted={onStarted} onBack={onBack} />
    );
  }
  if (fields.isError) {
    return <ErrorState error={fields.error} onRetry={() => fields.refetch()} />;
  }
  return (
    <Center py="xl">
      <Loader aria-label="Loading the fields" />
    </Center>
  );
}

function hasSuggestion(imported: Import): imported is Uploaded {
  const maybe = imported as Partial<Uploaded>;
  return maybe.suggested_mapping !== undefined && maybe.fields !== undefined;
}

const MATCHES: Record<ImportType, string> = {
  contact: "A row matches a contact with the same email.",
  lead: "A row matches a lead with the same email.",
  company: "A row matches a company with the same domain, or the same name.",
};

const FUZZY: Record<ImportType, string> = {
  contact: "A row matches a contact of a similar name at the same company when either has no email.",
  lead: "A row matches a lead of a similar name at the same company when either has no email.",
  company: "A row matches a company of a very similar name when either has no domain.",
};

function MappingForm({
  imported,
  uploaded,
  fields,
  onStarted,
  onBack,
}: {
  imported: Import;
  uploaded: Uploaded | null;
  fields: ImportField[];
  onStarted: (started: Import) => void;
  onBack: () => void;
}) {
  const type = imported.object_type;
  const singular = TYPE_LABELS[type].singular;
  const [mapping, setMapping] = useState(() =>
    initialMapping(imported.headers, fields, uploaded?.suggested_mapping, imported.mapping),
  );
  const [onMatch, setOnMatch] = useState<OnMatch>(imported.on_match ?? "skip");
  const [fuzzy, setFuzzy] = useState(imported.fuzzy ?? true);
  const [refused, setRefused] = useState<MappingProblems>(NO_PROBLEMS);
  const [tried, setTried] = useState(false);

  const labels = useMemo(() => new Map(fields.map((field) => [field.name, field.label])), [fields]);
  const options = useMemo(
    () => [
      { value: SKIP, label: "Don't import" },
      ...fields.map((field) => ({ value: field.name, label: field.label })),
    ],
    [fields],
  );
  const found = localProblems(mapping, (name) => labels.get(name) ?? name);
  const problems = mergeProblems({ columns: found.columns, general: tried ? found.general : null }, refused);

  const start = useMutation({
    mutationFn: () => startImport(imported.id, { mapping, on_match: onMatch, fuzzy }),
    onSuccess: onStarted,
    onError: (error) => setRefused(problemsFromError(error)),
  });

  const choose = (column: string, value: string | null) => {
    setMapping((current) => withField(current, column, value === SKIP ? null : value));
    setRefused(({ columns: { [column]: _dropped, ...rest }, general }) => ({ columns: rest, general }));
  };

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setTried(true);
        setRefused(NO_PROBLEMS);
        if (!hasProblems(found)) {
          start.mutate();
        }
      }}
    >
      <Stack gap="lg">
        <Stack gap={4}>
          <Title order={2} size="h4">
            Map the columns
          </Title>
          <Text size="sm" c="dimmed">
            {imported.filename} · {sizeLabel(imported.size)} · {imported.headers.length} columns ·{" "}
            {TYPE_LABELS[type].plural.toLowerCase()}. {mappedCount(mapping)} of {imported.headers.length} columns are
            imported.
          </Text>
        </Stack>

        {uploaded === null && mappedCount(imported.mapping) === 0 && (
          <Alert color="blue" icon={<IconInfoCircle />}>
            The suggested fields come with the upload and were not kept when the page reloaded: choose a field for
            each column to import.
          </Alert>
        )}

        {problems.general && (
          <Alert color="red" icon={<IconAlertTriangle />} role="alert" title="The import cannot start yet">
            {problems.general}
          </Alert>
        )}

        <Table.ScrollContainer minWidth={300}>
          <Table verticalSpacing="sm" layout="fixed" aria-label="Columns of the file">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Column in the file</Table.Th>
                <Table.Th w="50%">Import into</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {imported.headers.map((column) => {
                const samples = sampleValues(imported.headers, imported.sample, column);
                return (
                  <Table.Tr key={column} data-column={column}>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {column}
                      </Text>
                      <Text size="xs" className="import-samples" title={samples.join(", ")}>
                        {samples.length ? samples.join(", ") : "(empty in the first rows)"}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={`Field for “${column}”`}
                        data={options}
                        value={mapping[column] ?? SKIP}
                        onChange={(value) => choose(column, value)}
                        allowDeselect={false}
                        searchable
                        nothingFoundMessage="No such field"
                        error={problems.columns[column]}
                        styles={mapping[column] ? undefined : { input: { color: "var(--mantine-color-dimmed)" } }}
                      />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>

        <Radio.Group
          label={`When a row matches an existing ${singular}`}
          description={MATCHES[type]}
          value={onMatch}
          onChange={(value) => setOnMatch(value as OnMatch)}
        >
          <Stack gap="sm" mt="sm">
            <Radio value="skip" label="Skip the row" description={`The existing ${singular} stays as it is.`} />
            <Radio
              value="update"
              label={`Update the ${singular}`}
              description="The row's filled-in cells replace its values; empty cells change nothing."
            />
            <Radio
              value="create"
              label={`Create another ${singular}`}
              description="Every row becomes a new record, duplicates included."
            />
          </Stack>
        </Radio.Group>

        <Switch
          label="Also match similar names"
          description={onMatch === "create" ? "Nothing is matched when every row creates a record." : FUZZY[type]}
          checked={fuzzy && onMatch !== "create"}
          disabled={onMatch === "create"}
          onChange={(event) => setFuzzy(event.currentTarget.checked)}
        />

        <Group justify="space-between">
          <Button variant="default" leftSection={<IconArrowLeft size={16} />} onClick={onBack}>
            Choose another file
          </Button>
          <Button type="submit" loading={start.isPending} leftSection={<IconPlayerPlay size={16} />}>
            Start import
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
