// The rows an import could not take: each cell editable, the bad ones marked with what is wrong. The
// chosen rows (an edited row is chosen) go back as a retry: a new import of just those rows.
import {
  Alert,
  Button,
  Center,
  Checkbox,
  Group,
  Loader,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { IconAlertTriangle, IconDownload, IconRefresh } from "@tabler/icons-react";
import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { messageOf } from "../api/client";
import { ErrorState } from "../shell/ErrorState";
import { failuresCsvUrl, importFailures, importKeys, retryImport, type Failure, type Import } from "./api";
import {
  cellErrors,
  cellValue,
  isChosen,
  retryRows,
  rowErrors,
  shownColumns,
  withEdit,
  type Choices,
  type Edits,
} from "./retry";

const PAGE = 100;

export function FailedRows({ imported, onRetried }: { imported: Import; onRetried: (retry: Import) => void }) {
  const failures = useInfiniteQuery({
    queryKey: importKeys.failures(imported.id),
    queryFn: ({ pageParam }) => importFailures(imported.id, pageParam, PAGE),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    staleTime: Infinity, // a finished import's report does not change
  });
  const [edits, setEdits] = useState<Edits>({});
  const [choices, setChoices] = useState<Choices>({});
  const items = failures.data?.pages.flatMap((page) => page.items) ?? [];
  const reported = failures.data?.pages[0]?.reported ?? 0;
  const columns = shownColumns(imported.headers, imported.mapping, items);
  const withRowErrors = items.some((failure) => rowErrors(failure).length > 0);
  const chosen = retryRows(items, edits, choices, imported.headers);
  const retry = useMutation({
    mutationFn: () => retryImport(imported.id, chosen),
    onSuccess: onRetried,
  });

  const edit = (failure: Failure, column: string, value: string) =>
    setEdits((current) => withEdit(current, failure, column, value));

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Title order={3} size="h5">
          Rows not imported
        </Title>
        <Group gap="sm" wrap="wrap">
          <Button
            component="a"
            href={failuresCsvUrl(imported.id)}
            download
            variant="default"
            leftSection={<IconDownload size={16} />}
          >
            Download as CSV
          </Button>
          <Button
            leftSection={<IconRefresh size={16} />}
            disabled={chosen.length === 0}
            loading={retry.isPending}
            onClick={() => retry.mutate()}
          >
            {chosen.length === 1 ? "Retry 1 fixed row" : `Retry ${chosen.length} fixed rows`}
          </Button>
        </Group>
      </Group>
      <Text size="sm" c="dimmed">
        Fix a cell and its row is retried; tick a row to retry it as it is. The retry is a new import of just those
        rows, with the same columns and choices.
        {reported < imported.counts.failed &&
          ` ${imported.counts.failed.toLocaleString()} rows failed; the first ${reported.toLocaleString()} are` +
            " kept here and in the CSV."}
      </Text>
      {retry.isError && (
        <Alert color="red" icon={<IconAlertTriangle />} role="alert" title="The rows could not be retried">
          {messageOf(retry.error)}
        </Alert>
      )}

      {failures.isError ? (
        <ErrorState error={failures.error} onRetry={() => failures.refetch()} />
      ) : !failures.isPending && items.length === 0 ? (
        <Text size="sm" c="dimmed" py="md" ta="center">
          The failed rows were counted, not kept: download the file again and check it.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={130 + Math.max(columns.length, 1) * 180 + (withRowErrors ? 200 : 0)}>
          <Table
            className="import-failures"
            verticalSpacing="xs"
            aria-label="Rows not imported"
            aria-busy={failures.isFetching}
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={40}>
                  <Text span size="xs" fw={600}>
                    Retry
                  </Text>
                </Table.Th>
                <Table.Th w={70}>Row</Table.Th>
                {columns.map((column) => (
                  <Table.Th key={column}>{column}</Table.Th>
                ))}
                {withRowErrors && <Table.Th>Problems</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {failures.isPending &&
                Array.from({ length: 3 }, (_, index) => (
                  <Table.Tr key={index} aria-hidden>
                    <Table.Td colSpan={columns.length + 2}>
                      <Skeleton height={28} radius="sm" />
                    </Table.Td>
                  </Table.Tr>
                ))}
              {items.map((failure) => {
                const bad = cellErrors(failure);
                const problems = rowErrors(failure);
                return (
                  <Table.Tr key={failure.row} data-row={failure.row}>
                    <Table.Td>
                      <Checkbox
                        aria-label={`Retry row ${failure.row}`}
                        checked={isChosen(choices, edits, failure.row)}
                        onChange={(event) => {
                          const checked = event.currentTarget.checked;
                          setChoices((current) => ({ ...current, [failure.row]: checked }));
                        }}
                        mt={6}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" mt={6}>
                        {failure.row}
                      </Text>
                    </Table.Td>
                    {columns.map((column) => {
                      const messages = bad.get(column);
                      const edited = edits[failure.row]?.[column] !== undefined;
                      return (
                        <Table.Td key={column} className="import-cell">
                          <TextInput
                            size="xs"
                            aria-label={`Row ${failure.row}, ${column}`}
                            value={cellValue(failure, edits, column)}
                            onChange={(event) => edit(failure, column, event.currentTarget.value)}
                            // The report's message stays until the retry says otherwise; an edited cell is
                            // shown as changed instead of wrong.
                            error={messages && !edited ? sentence(messages) : undefined}
                            description={messages && edited ? `Was: ${sentence(messages)}` : undefined}
                            inputWrapperOrder={["label", "input", "description", "error"]}
                            styles={edited ? { input: { borderColor: "var(--mantine-color-indigo-5)" } } : undefined}
                          />
                        </Table.Td>
                      );
                    })}
                    {withRowErrors && (
                      <Table.Td>
                        <Text size="xs" c="red">
                          {problems.length ? sentence(problems) : ""}
                        </Text>
                      </Table.Td>
                    )}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {failures.hasNextPage && (
        <Center>
          {failures.isFetchingNextPage ? (
            <Loader size="sm" aria-label="Loading more rows" />
          ) : (
            <Button variant="subtle" onClick={() => void failures.fetchNextPage()}>
              Load more rows
            </Button>
          )}
        </Center>
      )}
    </Stack>
  );
}

function sentence(messages: string[]): string {
  const text = messages.join("; ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
