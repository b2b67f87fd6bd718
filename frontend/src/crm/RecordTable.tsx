// A table view over a list endpoint: server-side sort and `q=` search (both kept in the address), keyset
// pages loaded as the end of the table scrolls into view, and loading, empty and error states.
import {
  Badge,
  Button,
  Center,
  Group,
  Loader,
  Paper,
  Select,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useDebouncedValue, useIntersection } from "@mantine/hooks";
import { IconArrowDown, IconArrowUp, IconPlus, IconSearch } from "@tabler/icons-react";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { keys } from "../api/keys";
import { COLLECTION, listRecords, type RecordOf, type RecordType } from "../api/records";
import { ErrorState } from "../shell/ErrorState";

const PAGE = 50;

export interface Column<T> {
  key: string;
  label: string;
  /** The list's sort field when this column sorts (server-side). */
  sort?: string;
  render: (row: T) => ReactNode;
}

export interface TableConfig<K extends RecordType> {
  type: K;
  title: string;
  singular: string;
  sorts: { value: string; label: string }[];
  defaultSort: string;
}

export function RecordTable<K extends RecordType>({
  config,
  columns,
  onCreate,
  useRowNames,
}: {
  config: TableConfig<K>;
  columns: (names: Map<number, string>) => Column<RecordOf[K]>[];
  onCreate: () => void;
  /** Look up names the rows refer to (one group of ids per loaded page). */
  useRowNames?: (pages: RecordOf[K][][]) => Map<number, string>;
}) {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const sort = params.get("sort") ?? config.defaultSort;
  const [search, setSearch] = useState(params.get("q") ?? "");
  const [q] = useDebouncedValue(search.trim(), 250);

  // The search goes into the address once it settles (a reload or a shared link keeps it). Only when it
  // differs: setParams changes with every navigation, and an unconditional update would loop.
  const inAddress = params.get("q") ?? "";
  useEffect(() => {
    if (q !== inAddress) {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (q) next.set("q", q);
          else next.delete("q");
          return next;
        },
        { replace: true },
      );
    }
  }, [q, inAddress, setParams]);

  const list = useInfiniteQuery({
    queryKey: keys.list(config.type, { sort, q }),
    queryFn: ({ pageParam }) => listRecords(config.type, { sort, q, cursor: pageParam, limit: PAGE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    // While a new search or sort loads, the rows shown stay (dimmed) instead of blinking to skeletons.
    placeholderData: keepPreviousData,
  });
  const pages = list.data?.pages ?? [];
  const rows = pages.flatMap((page) => page.items);
  const names = (useRowNames ?? (() => new Map<number, string>()))(pages.map((page) => page.items));
  const shown = columns(names);
  const total = pages[0]?.estimated_total ?? null;

  const { ref: endRef, entry } = useIntersection({ rootMargin: "400px" });
  useEffect(() => {
    if (entry?.isIntersecting && list.hasNextPage && !list.isFetchingNextPage) {
      void list.fetchNextPage();
    }
  }, [entry?.isIntersecting, list]);

  const setSort = (value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      next.set("sort", value);
      return next;
    });

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Group gap="xs">
          <Title order={1} size="h2">
            {config.title}
          </Title>
          {total !== null && (
            <Badge variant="light" color="gray" aria-label="Estimated number of records">
              {list.hasNextPage ? `≈ ${total.toLocaleString()}` : rows.length.toLocaleString()}
            </Badge>
          )}
        </Group>
        <Group gap="sm" wrap="wrap">
          <TextInput
            placeholder={`Search ${config.title.toLowerCase()}`}
            aria-label={`Search ${config.title.toLowerCase()}`}
            leftSection={<IconSearch size={16} />}
            value={search}
            onChange={(event) => setSearch(event.currentTarget.value)}
            w={240}
          />
          <Select
            aria-label="Sort by"
            data={config.sorts}
            value={sort}
            onChange={(value) => value && setSort(value)}
            allowDeselect={false}
            w={200}
          />
          <Button leftSection={<IconPlus size={16} />} onClick={onCreate}>
            New {config.singular}
          </Button>
        </Group>
      </Group>

      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Paper withBorder radius="md" style={{ overflow: "hidden" }}>
          <Table.ScrollContainer minWidth={720}>
            <Table
              className="record-table"
              highlightOnHover
              stickyHeader
              verticalSpacing="xs"
              style={{ opacity: list.isPlaceholderData ? 0.6 : 1 }}
              aria-busy={list.isFetching}
            >
              <Table.Thead>
                <Table.Tr>
                  {shown.map((column) => (
                    <SortableHeader key={column.key} column={column} sort={sort} onSort={setSort} />
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.isPending &&
                  Array.from({ length: 8 }, (_, index) => (
                    <Table.Tr key={index} aria-hidden>
                      {shown.map((column) => (
                        <Table.Td key={column.key}>
                          <Skeleton height={14} radius="sm" />
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                {rows.map((row) => (
                  <Table.Tr
                    key={row.id}
                    data-record-id={row.id}
                    onClick={() => navigate(`/${COLLECTION[config.type]}/${row.id}`)}
                  >
                    {shown.map((column) => (
                      <Table.Td key={column.key}>{column.render(row)}</Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {!list.isPending && rows.length === 0 && (
            <Center py={48}>
              <Stack align="center" gap="xs">
                <Text fw={600}>
                  {q ? `No ${config.title.toLowerCase()} match “${q}”` : `No ${config.title.toLowerCase()} yet`}
                </Text>
                <Text size="sm" c="dimmed">
                  {q ? "Try another search." : `Create the first ${config.singular}.`}
                </Text>
                {!q && (
                  <Button variant="light" leftSection={<IconPlus size={16} />} onClick={onCreate}>
                    New {config.singular}
                  </Button>
                )}
              </Stack>
            </Center>
          )}
          <div ref={endRef} />
          {list.hasNextPage && (
            <Center py="sm">
              {list.isFetchingNextPage ? (
                <Loader size="sm" aria-label="Loading more" />
              ) : (
                <Button variant="subtle" onClick={() => void list.fetchNextPage()}>
                  Load more
                </Button>
              )}
            </Center>
          )}
        </Paper>
      )}
    </Stack>
  );
}

function SortableHeader<T>({
  column,
  sort,
  onSort,
}: {
  column: Column<T>;
  sort: string;
  onSort: (sort: string) => void;
}) {
  if (!column.sort) {
    return <Table.Th>{column.label}</Table.Th>;
  }
  const ascending = sort === column.sort;
  const descending = sort === `-${column.sort}`;
  return (
    <Table.Th aria-sort={ascending ? "ascending" : descending ? "descending" : "none"}>
      <UnstyledButton
        onClick={() => onSort(ascending ? `-${column.sort}` : (column.sort as string))}
        fw={600}
        fz="sm"
      >
        <Group gap={4} wrap="nowrap">
          {column.label}
          {ascending && <IconArrowUp size={14} />}
          {descending && <IconArrowDown size={14} />}
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}
