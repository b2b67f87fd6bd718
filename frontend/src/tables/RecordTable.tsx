// A record type's table: saved views, filter builder, column chooser, server-side search and sort (all in
// the address), bulk actions on selected rows, export, and virtualized rows loaded page by page.
import { Anchor, Badge, Button, Center, CloseButton, Group, Loader, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconFileImport, IconPlus, IconSearch } from "@tabler/icons-react";
import { notifications } from "@mantine/notifications";
import { keepPreviousData, useInfiniteQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { keys } from "../api/keys";
import { listRecords, titleOf, updateRecord, type BodyOf, type Page, type RecordOf, type RecordType } from "../api/records";
import { errorsFor, say } from "../crm/InlineFields";
import { useMembers, usePipelines } from "../api/workspaceData";
import { useNames } from "../crm/useNames";
import { ErrorState } from "../shell/ErrorState";
import { BulkBar } from "./BulkBar";
import { ColumnChooser } from "./ColumnChooser";
import { FILTER_GUARDS, type Catalogue, type ColumnDef, type RenderContext } from "./columns";
import { applyBody, mayEdit, withRow, withSaved, type EditSpec } from "./cellEdit";
import { customColumn, customFilterField } from "./customColumns";
import { EditableCell, type SaveCell } from "./EditableCell";
import { ExportButton } from "./ExportButton";
import { FilterBuilder } from "./FilterBuilder";
import { describe, fromFilter, toFilter, type Condition, type FilterField, type Match } from "./filters";
import { matchingLabel, offerAllMatching, type Selection } from "./selection";
import { useCustomFields, usePermissions, useTags, useViews } from "./tableData";
import { differsFromView, resolveState, withState, withView } from "./viewState";
import { ViewMenu } from "./ViewMenu";
import { VirtualTable } from "./VirtualRows";

const PAGE = 100;

export function RecordTable<K extends RecordType>({
  catalogue,
  onCreate,
  rowHref,
  headerExtra,
}: {
  catalogue: Catalogue<K>;
  onCreate?: () => void;
  rowHref?: (row: RecordOf[K]) => string;
  headerExtra?: ReactNode;
}) {
  const type = catalogue.type;
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const permissions = usePermissions();
  const customFields = useCustomFields(type);
  const views = useViews(type);
  const members = useMembers();
  const tags = useTags();
  const pipelines = usePipelines();

  const hidden = permissions.data?.hidden(type) ?? new Set<string>();
  const visible = (guard: string[]) => !guard.some((name) => hidden.has(name));
  const custom = customFields.data ?? [];
  const saveCell = useSaveCell(type);
  // Columns whose field the member may change render an editable cell; the rest stay plain.
  const columns = useMemo(
    () =>
      [...catalogue.columns, ...custom.map((field) => customColumn<RecordOf[K]>(field))]
        .filter((column) => visible(column.guard ?? column.fields))
        .map((column) => editableColumn(column, mayEdit(permissions.data, type, column.edit?.field ?? ""), type, saveCell)),
    [catalogue, custom, permissions.data, type, saveCell],
  );
  const stageChoices = (pipelines.data ?? []).flatMap((pipeline) =>
    pipeline.stages.map((stage) => ({ value: String(stage.id), label: `${stage.name} (${pipeline.name})` })),
  );
  const filterFields: FilterField[] = [
    ...catalogue.filters.map((field) =>
      field.key === "stage" && type === "deal"
        ? { ...field, choices: stageChoices }
        : field.key === "pipeline" && type === "deal"
          ? { ...field, choices: (pipelines.data ?? []).map((pipeline) => ({ value: String(pipeline.id), label: pipeline.name })) }
          : field,
    ),
    ...custom.flatMap((field) => customFilterField(field) ?? []),
  ].filter((field) => visible(field.key.startsWith("custom.") ? ["custom"] : (FILTER_GUARDS[field.key] ?? [field.key])));

  const viewId = Number(params.get("view")) || null;
  const view = views.data?.find((item) => item.id === viewId);
  const defaults = { sort: catalogue.defaultSort, columns: catalogue.defaultColumns };
  const state = resolveState(params, view, defaults);
  const byKey = new Map(columns.map((column) => [column.key, column]));
  // The same columns (and context) from render to render: a row re-renders only when it changes.
  const shownKeys = state.columns.join(",");
  const shown = useMemo(() => {
    const chosen = shownKeys.split(",").map((key) => byKey.get(key)).filter((column): column is ColumnDef<RecordOf[K]> => !!column);
    return chosen.length > 0
      ? chosen
      : catalogue.defaultColumns.map((key) => byKey.get(key)).filter((column): column is ColumnDef<RecordOf[K]> => !!column);
  }, [columns, shownKeys, catalogue]);
  const parsed = fromFilter(state.filter, filterFields);
  const changed = differsFromView(state, view, defaults);

  // The search box: typed here, settled into the address.
  const [search, setSearch] = useState(state.q);
  const [q] = useDebouncedValue(search.trim(), 250);
  useEffect(() => {
    if (q !== state.q) {
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
  }, [q, state.q, setParams]);

  const fields = [...new Set(["id", ...shown.flatMap((column) => column.fields)])];
  const listParams = { sort: state.sort, q: state.q, filter: state.filter, fields };
  const ready = !permissions.isPending && !customFields.isPending && (viewId === null || !views.isPending);
  const list = useInfiniteQuery({
    queryKey: keys.list(type, listParams),
    queryFn: ({ pageParam }) => listRecords(type, { ...listParams, cursor: pageParam, limit: PAGE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: keepPreviousData,
    enabled: ready,
  });
  const pages = list.data?.pages ?? [];
  const rows = useMemo(() => pages.flatMap((page) => page.items), [pages]);
  const total = pages[0]?.estimated_total ?? null;

  const [selected, setSelected] = useState<Set<number>>(new Set());
  // "Select all N matching": bulk actions then take the table's filter and search, not the ticked ids.
  const [allMatching, setAllMatching] = useState(false);
  const listKey = JSON.stringify(listParams);
  useEffect(() => {
    setSelected(new Set());
    setAllMatching(false);
  }, [listKey]);
  const latest = useRef({ allMatching, rows });
  latest.current = { allMatching, rows };
  const select = useCallback((ids: number[], on: boolean) => {
    if (latest.current.allMatching) {
      // Unticking a row leaves "all matching": the loaded rows stay ticked, but that one.
      setAllMatching(false);
      setSelected(new Set(latest.current.rows.map((row) => row.id).filter((id) => on || !ids.includes(id))));
      return;
    }
    setSelected((current) => {
      const next = new Set(current);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  }, []);
  const ticked = useMemo(() => (allMatching ? new Set(rows.map((row) => row.id)) : selected), [allMatching, rows, selected]);
  const selection: Selection = allMatching
    ? { kind: "matching", filter: state.filter, q: state.q, estimate: total, loaded: rows.length, more: list.hasNextPage }
    : { kind: "ids", ids: [...selected] };
  const clearSelection = useCallback(() => {
    setSelected(new Set());
    setAllMatching(false);
  }, []);

  // Names of referenced records are looked up for the pages on screen only (one request per page), not
  // for every page scrolled past.
  const [onScreen, setOnScreen] = useState<[number, number]>([0, 0]);
  const visibleRows = useCallback((first: number, last: number) => {
    const pagesShown: [number, number] = [Math.floor(first / PAGE), Math.floor(Math.max(last, 0) / PAGE)];
    setOnScreen((current) => (current[0] === pagesShown[0] && current[1] === pagesShown[1] ? current : pagesShown));
  }, []);
  const names: RenderContext["names"] = {};
  const groups = pages.slice(onScreen[0], onScreen[1] + 1).map((page) => page.items);
  for (const reference of catalogue.references) {
    // The catalogue's references are fixed per type: the hooks are called in the same order every time.
    const found = useNames(
      reference.type,
      shown.some((column) => column.key === reference.field) ? groups.map((items) => items.map((row) => row[reference.field] as number | null)) : [],
    );
    names[reference.type] = new Map([...(names[reference.type] ?? []), ...found]);
  }
  const memberOptions = (members.data?.items ?? []).filter((member) => member.active).map((member) => ({ value: member.user_id, label: member.email }));
  const namesKey = JSON.stringify(Object.entries(names).map(([kind, found]) => [kind, [...found]]));
  const context: RenderContext = useMemo(
    () => ({
      names,
      members: new Map((members.data?.items ?? []).map((member) => [member.user_id, member.email])),
      stages: new Map((pipelines.data ?? []).flatMap((pipeline) => pipeline.stages.map((stage) => [stage.id, stage.name] as const))),
      pipelines: new Map((pipelines.data ?? []).map((pipeline) => [pipeline.id, pipeline.name] as const)),
    }),
    [namesKey, members.data, pipelines.data],
  );

  const update = (change: Parameters<typeof withState>[1]) => setParams((current) => withState(current, change, view, defaults));
  const applyFilter = (conditions: Condition[], match: Match) => update({ filter: toFilter(conditions, match, filterFields) });
  const removeCondition = (index: number) => {
    if (parsed) {
      applyFilter(parsed.conditions.filter((_, at) => at !== index), parsed.match);
    }
  };
  const fieldOf = new Map(filterFields.map((field) => [field.key, field]));
  const labelOf = (field: FilterField | undefined) => (value: string) =>
    field?.choices?.find((choice) => choice.value === value)?.label ??
    (field?.members ? context.members.get(value) : undefined) ??
    (field?.reference === "company" ? (names.company?.get(Number(value)) ?? `#${value}`) : value);
  const filtered = state.filter !== undefined || state.q !== "";
  const loadMore = useCallback(() => {
    if (list.hasNextPage && !list.isFetchingNextPage) {
      void list.fetchNextPage();
    }
  }, [list]);
  const open = useCallback((href: string) => navigate(href), [navigate]);
  const canUpdate = permissions.data?.can(type, "update") ?? false;
  const canDelete = permissions.data?.can(type, "delete") ?? false;

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Group gap="xs">
          <Title order={1} size="h2">
            {catalogue.title}
          </Title>
          {total !== null && (
            <Badge variant="light" color="gray" aria-label="Estimated number of records">
              {list.hasNextPage ? `≈ ${total.toLocaleString()}` : rows.length.toLocaleString()}
            </Badge>
          )}
          {headerExtra}
        </Group>
        {onCreate && permissions.data?.can(type, "create") !== false && (
          <Button leftSection={<IconPlus size={16} />} onClick={onCreate}>
            New {catalogue.singular}
          </Button>
        )}
      </Group>
      <Group gap="xs" wrap="wrap">
        <ViewMenu type={type} title={catalogue.title} views={views.data ?? []} current={view} state={state} changed={changed}
          onChoose={(id) => setParams((current) => withView(current, id))} />
        <TextInput
          placeholder={`Search ${catalogue.title.toLowerCase()}`}
          aria-label={`Search ${catalogue.title.toLowerCase()}`}
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          w={220}
        />
        <FilterBuilder
          fields={filterFields}
          conditions={parsed?.conditions ?? []}
          match={parsed?.match ?? "and"}
          choices={{ members: memberOptions, tags: (tags.data ?? []).map((tag) => tag.name) }}
          onApply={applyFilter}
        />
        <ColumnChooser
          options={columns.map((column) => ({ key: column.key, label: column.label, custom: column.custom }))}
          chosen={shown.map((column) => column.key)}
          defaults={catalogue.defaultColumns}
          onChange={(chosen) => update({ columns: chosen })}
        />
        {(type === "contact" || type === "company" || type === "lead") && permissions.data?.can(type, "create") && (
          <Button variant="default" leftSection={<IconFileImport size={16} />} onClick={() => navigate(`/import?type=${type}`)}>
            Import
          </Button>
        )}
        {permissions.data?.can(type, "export") && (
          <ExportButton type={type} request={{ filter: state.filter, sort: state.sort, fields, q: state.q }} estimate={total} />
        )}
      </Group>
      {(parsed === null || (parsed?.conditions.length ?? 0) > 0) && (
        <Group gap={6} wrap="wrap" aria-label="Active filters" role="list">
          {parsed === null ? (
            <Badge variant="light" size="lg" role="listitem">
              A filter made outside the builder
            </Badge>
          ) : (
            parsed.conditions.map((condition, index) => {
              const field = fieldOf.get(condition.field);
              return (
                <Badge
                  key={index}
                  role="listitem"
                  variant="light"
                  size="lg"
                  tt="none"
                  rightSection={<CloseButton size="xs" aria-label={`Remove filter ${describe(condition, field, labelOf(field))}`} onClick={() => removeCondition(index)} />}
                >
                  {describe(condition, field, labelOf(field))}
                </Badge>
              );
            })
          )}
          {parsed && parsed.conditions.length > 1 && (
            <Text size="xs" c="dimmed">
              {parsed.match === "or" ? "any of these" : "all of these"}
            </Text>
          )}
        </Group>
      )}
      {(allMatching || offerAllMatching(selected, rows.map((row) => row.id), list.hasNextPage)) && (
        <SelectAllBanner
          loaded={rows.length}
          matching={matchingLabel(total, rows.length, list.hasNextPage)}
          plural={catalogue.title.toLowerCase()}
          all={allMatching}
          onAll={() => setAllMatching(true)}
          onLoaded={() => {
            setSelected(new Set(rows.map((row) => row.id)));
            setAllMatching(false);
          }}
        />
      )}
      {(allMatching || selected.size > 0) && (
        <BulkBar
          type={type}
          singular={catalogue.singular}
          plural={catalogue.title}
          selection={selection}
          members={memberOptions}
          tags={(tags.data ?? []).map((tag) => tag.name)}
          bulkFields={catalogue.bulkFields.filter((field) => visible([field.field]))}
          canUpdate={canUpdate}
          canDelete={canDelete}
          onDone={clearSelection}
        />
      )}
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Paper withBorder radius="md" style={{ overflow: "hidden" }}>
          <VirtualTable
            label={catalogue.title}
            rows={rows}
            columns={shown}
            context={context}
            sort={state.sort}
            onSort={(sort) => update({ sort })}
            selected={ticked}
            onSelect={select}
            loading={list.isPending || !ready}
            dimmed={list.isPlaceholderData}
            hasMore={list.hasNextPage}
            loadMore={loadMore}
            rowHref={rowHref}
            onOpen={open}
            onVisible={visibleRows}
            footer={
              <>
                {!list.isPending && rows.length === 0 && (
                  <Center py={48}>
                    <Stack align="center" gap="xs">
                      <Text fw={600}>
                        {filtered
                          ? state.q && !state.filter
                            ? `No ${catalogue.title.toLowerCase()} match “${state.q}”`
                            : `No ${catalogue.title.toLowerCase()} match these filters`
                          : `No ${catalogue.title.toLowerCase()} yet`}
                      </Text>
                      <Text size="sm" c="dimmed">
                        {filtered ? "Try another search or filter." : `Create the first ${catalogue.singular}.`}
                      </Text>
                      {filtered && state.filter && (
                        <Button variant="light" onClick={() => update({ filter: undefined })}>
                          Clear filters
                        </Button>
                      )}
                      {!filtered && onCreate && (
                        <Button variant="light" leftSection={<IconPlus size={16} />} onClick={onCreate}>
                          New {catalogue.singular}
                        </Button>
                      )}
                    </Stack>
                  </Center>
                )}
                {list.isFetchingNextPage && (
                  <Center py="sm">
                    <Loader size="sm" aria-label="Loading more" />
                  </Center>
                )}
              </>
            }
          />
        </Paper>
      )}
    </Stack>
  );
}

/** After "select all loaded": offer every matching record (or, once chosen, only the loaded ones again). */
function SelectAllBanner({
  loaded,
  matching,
  plural,
  all,
  onAll,
  onLoaded,
}: {
  loaded: number;
  /** "≈ 12,345", "100+" */
  matching: string;
  plural: string;
  all: boolean;
  onAll: () => void;
  onLoaded: () => void;
}) {
  return (
    <Paper withBorder p="xs" radius="md" bg="gray.0" role="status" data-testid="select-all-banner">
      <Group gap="xs" justify="center" wrap="wrap">
        {all ? (
          <>
            <Text size="sm">All {matching} matching {plural} are selected, loaded or not.</Text>
            <Anchor component="button" type="button" size="sm" onClick={onLoaded}>
              Select only the {loaded.toLocaleString()} loaded
            </Anchor>
          </>
        ) : (
          <>
            <Text size="sm">All {loaded.toLocaleString()} loaded {plural} are selected.</Text>
            <Anchor component="button" type="button" size="sm" fw={600} onClick={onAll}>
              Select all {matching} matching {plural}
            </Anchor>
          </>
        )}
      </Group>
    </Paper>
  );
}

type Row<K extends RecordType> = RecordOf[K];

/** The column with an editable cell when the member may change its field. */
function editableColumn<K extends RecordType>(
  column: ColumnDef<Row<K>>,
  allowed: boolean,
  type: K,
  save: SaveCell<Row<K>>,
): ColumnDef<Row<K>> {
  const spec = column.edit;
  if (!spec || !allowed) {
    return column;
  }
  return {
    ...column,
    render: (row, context) =>
      spec.when && !spec.when(row) ? (
        column.render(row, context)
      ) : (
        <EditableCell row={row} spec={spec} label={column.label} record={titleOf(type, row)} onSave={save}>
          {column.render(row, context)}
        </EditableCell>
      ),
  };
}

/**
 * Saves one cell: a PATCH of only its field. The row changes at once in every loaded list of the type; an
 * error puts the rows back and tells the API's message in a notification.
 */
function useSaveCell<K extends RecordType>(type: K): SaveCell<Row<K>> {
  const client = useQueryClient();
  return useCallback(
    async (row: Row<K>, spec: EditSpec<Row<K>>, text: string, what: string) => {
      const lists = { queryKey: [...keys.records(type), "list"] };
      const body = spec.body(text);
      await client.cancelQueries(lists);
      const before = client.getQueriesData<InfiniteData<Page<Row<K>>>>(lists);
      client.setQueriesData<InfiniteData<Page<Row<K>>>>(lists, (data) => withRow(data, row.id, (current) => applyBody(current, body)));
      try {
        const saved = await updateRecord(type, row.id, body as BodyOf[K]);
        // Only the fields each list loaded (the API may have normalized the value).
        client.setQueriesData<InfiniteData<Page<Row<K>>>>(lists, (data) =>
          withRow(data, row.id, (current) => withSaved(current, saved)),
        );
        await client.invalidateQueries({ queryKey: keys.record(type, row.id), refetchType: "none" });
      } catch (error) {
        for (const [key, data] of before) {
          client.setQueryData(key, data);
        }
        notifications.show({
          color: "red",
          title: `${what} was not saved`,
          message: say(spec.errorLabel, errorsFor(error, spec.field)) ?? "Something went wrong.",
        });
        throw error;
      }
    },
    [client, type],
  );
}
