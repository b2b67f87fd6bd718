// Deals as a kanban by stage of one pipeline. Dragging a card to another column PATCHes the deal's stage;
// the card moves at once and goes back (with the API's message) if the change is refused.
import {
  Badge,
  Button,
  Center,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Skeleton,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type DragEndEvent,
  type DragStartEvent,
} from "@dnd-kit/core";
import { CSS } from "@dnd-kit/utilities";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { messageOf, type Schemas } from "../api/client";
import { keys } from "../api/keys";
import { listRecords, updateRecord, type Deal } from "../api/records";
import { usePipelines } from "../api/workspaceData";
import { formatCompactMoney, formatDate, formatMoney } from "../crm/format";
import { useNames } from "../crm/useNames";
import { ErrorState } from "../shell/ErrorState";
import { DEALS } from "../tables/columns";
import { RecordTable } from "../tables/RecordTable";
import { columnParams, loadedDeals, withDeal, withoutDeal, type Column } from "./board";

type Stage = Schemas["StageOut"];
const PAGE = 25;

const columnKey = (pipeline: number, stage: number) => keys.list("deal", columnParams(pipeline, stage));

/** Board (kanban by stage) or table (every pipeline, with views, filters and bulk actions): `?mode=table`. */
function ModeSwitch() {
  const [params, setParams] = useSearchParams();
  return (
    <SegmentedControl
      aria-label="Show deals as"
      size="xs"
      value={params.get("mode") === "table" ? "table" : "board"}
      onChange={(mode) => setParams(mode === "table" ? { mode } : {})}
      data={[
        { value: "board", label: "Board" },
        { value: "table", label: "Table" },
      ]}
    />
  );
}

export function DealsPage() {
  const [params] = useSearchParams();
  if (params.get("mode") === "table") {
    return <RecordTable catalogue={DEALS} headerExtra={<ModeSwitch />} rowHref={(row) => `/deals/${row.id}`} />;
  }
  return <DealsBoardPage />;
}

function DealsBoardPage() {
  const pipelines = usePipelines();
  const [params, setParams] = useSearchParams();
  if (pipelines.isPending) {
    return <Skeleton height={400} />;
  }
  if (pipelines.isError) {
    return <ErrorState error={pipelines.error} onRetry={() => pipelines.refetch()} />;
  }
  const chosen = Number(params.get("pipeline"));
  const pipeline = pipelines.data.find((item) => item.id === chosen) ?? pipelines.data[0];
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={1} size="h2">
            Deals
          </Title>
          <ModeSwitch />
        </Group>
        {pipelines.data.length > 0 && (
          <Select
            aria-label="Pipeline"
            data={pipelines.data.map((item) => ({ value: String(item.id), label: item.name }))}
            value={pipeline ? String(pipeline.id) : null}
            onChange={(value) => value && setParams({ pipeline: value })}
            allowDeselect={false}
            w={220}
          />
        )}
      </Group>
      {pipeline ? (
        <Board key={pipeline.id} pipeline={pipeline.id} stages={pipeline.stages} />
      ) : (
        <Center py={64}>
          <Text c="dimmed">This workspace has no pipeline yet.</Text>
        </Center>
      )}
    </Stack>
  );
}

interface Move {
  deal: Deal;
  from: number;
  to: number;
}

function Board({ pipeline, stages }: { pipeline: number; stages: Stage[] }) {
  const client = useQueryClient();
  const [dragged, setDragged] = useState<Deal | null>(null);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor),
  );
  const stageNames = new Map(stages.map((stage) => [stage.id, stage.name]));

  const move = useMutation({
    mutationFn: ({ deal, to }: Move) => updateRecord("deal", deal.id, { stage: to }),
    onMutate: async ({ deal, from, to }) => {
      const source = columnKey(pipeline, from);
      const target = columnKey(pipeline, to);
      await Promise.all([client.cancelQueries({ queryKey: source }), client.cancelQueries({ queryKey: target })]);
      const before = { source: client.getQueryData<Column>(source), target: client.getQueryData<Column>(target) };
      client.setQueryData<Column>(source, (column) => withoutDeal(column, deal.id));
      client.setQueryData<Column>(target, (column) => withDeal(column, { ...deal, stage: to }));
      return before;
    },
    onError: (error, { deal, from, to }, before) => {
      client.setQueryData(columnKey(pipeline, from), before?.source);
      client.setQueryData(columnKey(pipeline, to), before?.target);
      notifications.show({
        color: "red",
        title: `${deal.name ?? "The deal"} stays in ${stageNames.get(from) ?? "its stage"}`,
        message: messageOf(error),
      });
    },
    onSettled: (_data, _error, { from, to }) =>
      Promise.all([
        client.invalidateQueries({ queryKey: columnKey(pipeline, from) }),
        client.invalidateQueries({ queryKey: columnKey(pipeline, to) }),
      ]),
  });

  const onDragStart = (event: DragStartEvent) => setDragged((event.active.data.current as { deal: Deal }).deal);
  const onDragEnd = (event: DragEndEvent) => {
    setDragged(null);
    const deal = (event.active.data.current as { deal: Deal } | undefined)?.deal;
    const to = event.over ? Number(event.over.id) : null;
    if (deal?.stage !== undefined && to !== null && to !== deal.stage) {
      move.mutate({ deal, from: deal.stage, to });
    }
  };

  return (
    <DndContext sensors={sensors} onDragStart={onDragStart} onDragEnd={onDragEnd} onDragCancel={() => setDragged(null)}>
      <div className="kanban-board" role="list" aria-label="Stages">
        {stages.map((stage) => (
          <StageColumn key={stage.id} pipeline={pipeline} stage={stage} />
        ))}
      </div>
      <DragOverlay>{dragged ? <DealCard deal={dragged} company={undefined} overlay /> : null}</DragOverlay>
    </DndContext>
  );
}

function StageColumn({ pipeline, stage }: { pipeline: number; stage: Stage }) {
  const { setNodeRef, isOver } = useDroppable({ id: String(stage.id) });
  const params = columnParams(pipeline, stage.id);
  const column = useInfiniteQuery({
    queryKey: keys.list("deal", params),
    queryFn: ({ pageParam }) => listRecords("deal", { ...params, cursor: pageParam, limit: PAGE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const deals = loadedDeals(column.data);
  const companies = useNames("company", (column.data?.pages ?? []).map((page) => page.items.map((deal) => deal.company)));
  const total = deals.reduce((sum, deal) => sum + Number(deal.amount ?? 0), 0);
  const currency = deals[0]?.currency ?? "USD";
  const everything = column.data !== undefined && !column.hasNextPage;
  const estimate = column.data?.pages[0]?.estimated_total ?? null;

  return (
    <section
      ref={setNodeRef}
      className="kanban-column"
      data-over={isOver}
      data-stage-id={stage.id}
      aria-label={`Stage ${stage.name}`}
      role="listitem"
    >
      <Stack gap={2} p="sm" pb={4}>
        <Group justify="space-between" wrap="nowrap">
          <Text fw={600} size="sm" truncate>
            {stage.name}
          </Text>
          <Badge variant="light" color={stage.kind === "won" ? "teal" : stage.kind === "lost" ? "red" : "gray"}>
            {column.data ? (everything ? deals.length : `≈ ${Math.max(estimate ?? 0, deals.length)}`) : "…"}
          </Badge>
        </Group>
        <Text size="xs" c="dimmed" title={everything ? undefined : "Of the deals loaded so far"}>
          {stage.probability}% · {everything ? "" : "≥ "}
          {formatCompactMoney(total, currency)} · weighted {formatCompactMoney((total * stage.probability) / 100, currency)}
        </Text>
      </Stack>
      <div className="kanban-cards">
        {column.isPending && [0, 1, 2].map((index) => <Skeleton key={index} height={64} radius="md" />)}
        {column.isError && (
          <Text size="xs" c="red">
            {messageOf(column.error)}
          </Text>
        )}
        {deals.map((deal) => (
          <DraggableDeal key={deal.id} deal={deal} company={deal.company ? companies.get(deal.company) : undefined} />
        ))}
        {column.data && deals.length === 0 && (
          <Text size="xs" c="dimmed" ta="center" py="md">
            No deals
          </Text>
        )}
        {column.hasNextPage && (
          <Button
            variant="subtle"
            size="xs"
            onClick={() => void column.fetchNextPage()}
            loading={column.isFetchingNextPage}
          >
            Load more
          </Button>
        )}
      </div>
    </section>
  );
}

function DraggableDeal({ deal, company }: { deal: Deal; company: string | undefined }) {
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({
    id: `deal-${deal.id}`,
    data: { deal },
  });
  return (
    <div
      ref={setNodeRef}
      className="kanban-card"
      data-dragging={isDragging}
      data-deal-id={deal.id}
      style={{ transform: CSS.Translate.toString(transform) }}
      aria-label={`Deal ${deal.name ?? deal.id}`}
      {...listeners}
      {...attributes}
    >
      <DealCard deal={deal} company={company} />
    </div>
  );
}

function DealCard({ deal, company, overlay = false }: { deal: Deal; company: string | undefined; overlay?: boolean }) {
  return (
    <Paper withBorder shadow={overlay ? "md" : "xs"} p="sm" radius="md">
      {overlay ? (
        <Text size="sm" fw={600} lineClamp={2}>
          {deal.name}
        </Text>
      ) : (
        // The card drags (from its name too: a click without moving opens the deal); Enter on the name opens
        // the deal rather than picking the card up, and the browser's own link dragging stays out of the way.
        <Text
          size="sm"
          fw={600}
          lineClamp={2}
          component={Link}
          to={`/deals/${deal.id}`}
          draggable={false}
          className="kanban-card-link"
          onKeyDown={(event) => event.stopPropagation()}
        >
          {deal.name}
        </Text>
      )}
      <Group justify="space-between" mt={4} wrap="nowrap">
        <Text size="sm">{formatMoney(deal.amount, deal.currency)}</Text>
        {deal.expected_close && (
          <Text size="xs" c="dimmed">
            {formatDate(deal.expected_close)}
          </Text>
        )}
      </Group>
      {deal.company && company && (
        <Text
          size="xs"
          c="dimmed"
          truncate
          component={Link}
          to={`/companies/${deal.company}`}
          onPointerDown={(event) => event.stopPropagation()}
        >
          {company}
        </Text>
      )}
    </Paper>
  );
}

