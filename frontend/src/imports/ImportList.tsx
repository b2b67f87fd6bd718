// "Your imports": the asker's imports, newest first, each a link to its step of the wizard.
import { Anchor, Badge, Button, Center, Group, Loader, Paper, Skeleton, Stack, Table, Text } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { formatDateTime } from "../crm/format";
import { ErrorState } from "../shell/ErrorState";
import { importKeys, listImports } from "./api";
import { countsLabel, isActive, STATUS_COLORS, STATUS_LABELS, TYPE_LABELS } from "./status";

const PAGE = 10;

export function ImportList({ current }: { current: number | null }) {
  const list = useInfiniteQuery({
    queryKey: importKeys.list,
    queryFn: ({ pageParam }) => listImports(pageParam, PAGE),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    // Imports running elsewhere (another tab, a retry) move on by themselves.
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.items.some((item) => isActive(item.status))) ? 2000 : false,
  });
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];

  if (list.isError) {
    return <ErrorState error={list.error} onRetry={() => list.refetch()} />;
  }
  return (
    <Paper withBorder radius="md" style={{ overflow: "hidden" }}>
      <Table.ScrollContainer minWidth={560}>
        <Table verticalSpacing="xs" aria-label="Your imports" data-testid="import-list">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>File</Table.Th>
              <Table.Th>Into</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Rows</Table.Th>
              <Table.Th>Uploaded</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.isPending &&
              Array.from({ length: 3 }, (_, index) => (
                <Table.Tr key={index} aria-hidden>
                  <Table.Td colSpan={5}>
                    <Skeleton height={14} radius="sm" />
                  </Table.Td>
                </Table.Tr>
              ))}
            {items.map((item) => (
              <Table.Tr
                key={item.id}
                data-import-id={item.id}
                bg={item.id === current ? "var(--mantine-color-indigo-0)" : undefined}
              >
                <Table.Td>
                  <Anchor
                    component={Link}
                    to={`/import?id=${item.id}`}
                    size="sm"
                    fw={500}
                    aria-current={item.id === current ? "page" : undefined}
                  >
                    {item.filename}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{TYPE_LABELS[item.object_type]?.plural ?? item.object_type}</Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={STATUS_COLORS[item.status]}>
                    {STATUS_LABELS[item.status]}
                    {isActive(item.status) ? ` ${item.progress.percent}%` : ""}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {item.status === "done" ? countsLabel(item.counts) : ""}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {formatDateTime(item.created_at)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {!list.isPending && items.length === 0 && (
        <Center py="lg">
          <Stack align="center" gap={2}>
            <Text fw={600}>No imports yet</Text>
            <Text size="sm" c="dimmed">
              Files you import are listed here with what became of them.
            </Text>
          </Stack>
        </Center>
      )}
      {list.hasNextPage && (
        <Group justify="center" py="xs">
          {list.isFetchingNextPage ? (
            <Loader size="sm" aria-label="Loading more imports" />
          ) : (
            <Button variant="subtle" onClick={() => void list.fetchNextPage()}>
              Show older imports
            </Button>
          )}
        </Group>
      )}
    </Paper>
  );
}
