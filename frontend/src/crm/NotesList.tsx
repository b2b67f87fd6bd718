// A record's notes, newest first (the API sanitized their HTML when they were written).
import { Button, Group, Paper, Skeleton, Stack, Text, Typography } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api, messageOf, unwrapAs } from "../api/client";
import type { Page, RecordType } from "../api/records";
import { useMemberEmails } from "../api/workspaceData";
import { formatDateTime } from "./format";

interface Note {
  id: number;
  body?: string;
  owner_id?: string;
  created_at?: string;
}

export function NotesList({ type, id }: { type: RecordType; id: number }) {
  const emails = useMemberEmails();
  const filter = { and: [{ field: "record_type", op: "eq", value: type }, { field: "record_id", op: "eq", value: id }] };
  const notes = useInfiniteQuery({
    // Under "activities": adding a note (and a live change of one) refreshes what is keyed there.
    queryKey: ["activities", "notes-of", type, id],
    queryFn: ({ pageParam }) =>
      unwrapAs<Page<Note>>(
        api.GET("/api/v1/notes", {
          params: { query: { filter: JSON.stringify(filter), sort: "-created_at", limit: 20, cursor: pageParam ?? undefined } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const items = notes.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Paper withBorder p="lg" radius="md" data-testid="notes">
      {notes.isPending && <Skeleton height={60} />}
      {notes.isError && (
        <Text size="sm" c="red">
          {messageOf(notes.error)}
        </Text>
      )}
      {notes.data && items.length === 0 && (
        <Text size="sm" c="dimmed">
          No notes yet.
        </Text>
      )}
      <Stack gap="md">
        {items.map((note) => (
          <Stack key={note.id} gap={2} data-note-id={note.id}>
            <Typography fz="sm">
              {/* Sanitized by the API (nh3, an allowlist of tags); the page's CSP forbids inline scripts too. */}
              <div dangerouslySetInnerHTML={{ __html: note.body ?? "" }} />
            </Typography>
            <Group gap={6}>
              <Text size="xs" c="dimmed">
                {formatDateTime(note.created_at)}
                {note.owner_id ? ` · ${emails.get(note.owner_id) ?? "A former member"}` : ""}
              </Text>
            </Group>
          </Stack>
        ))}
      </Stack>
      {notes.hasNextPage && (
        <Button variant="subtle" size="xs" mt="sm" loading={notes.isFetchingNextPage} onClick={() => void notes.fetchNextPage()}>
          Older notes
        </Button>
      )}
    </Paper>
  );
}
