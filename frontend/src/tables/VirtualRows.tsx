// The table body, virtualized: only the rows in (and near) the scroll box are in the DOM, so 100,000 loaded
// rows scroll like 50. Rows have one fixed height; spacer rows keep the scroll height right. Nearing the
// last loaded row asks for the next keyset page.
import { Checkbox, Group, Skeleton, Table, UnstyledButton } from "@mantine/core";
import { IconArrowDown, IconArrowUp } from "@tabler/icons-react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useRef, type ReactNode } from "react";
import type { ColumnDef, RenderContext } from "./columns";

export const ROW_HEIGHT = 41;
const CHECKBOX_WIDTH = 44;
const PREFETCH_ROWS = 30;

export function VirtualTable<T extends { id: number }>({
  rows,
  columns,
  context,
  sort,
  onSort,
  selected,
  onSelect,
  loading,
  dimmed,
  hasMore,
  loadMore,
  rowHref,
  onOpen,
  label,
  footer,
  onVisible,
}: {
  rows: T[];
  columns: ColumnDef<T>[];
  context: RenderContext;
  sort: string;
  onSort: (sort: string) => void;
  selected: Set<number>;
  onSelect: (ids: number[], on: boolean) => void;
  loading: boolean;
  dimmed: boolean;
  hasMore: boolean;
  loadMore: () => void;
  rowHref?: (row: T) => string;
  onOpen: (href: string) => void;
  label: string;
  footer?: ReactNode;
  /** The first and last row index rendered (visible and overscan). */
  onVisible?: (first: number, last: number) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;
  useEffect(() => onVisible?.(first, last), [first, last, onVisible]);
  useEffect(() => {
    if (hasMore && last >= rows.length - PREFETCH_ROWS) {
      loadMore();
    }
  }, [last, rows.length, hasMore, loadMore]);

  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  const allChosen = rows.length > 0 && rows.every((row) => selected.has(row.id));
  const someChosen = !allChosen && rows.some((row) => selected.has(row.id));
  const width = CHECKBOX_WIDTH + columns.reduce((sum, column) => sum + (column.width ?? 160), 0);
  const span = columns.length + 1;

  return (
    <div ref={scroller} className="table-scroll" data-testid="table-scroll">
      <Table
        className="record-table"
        highlightOnHover
        stickyHeader
        verticalSpacing={0}
        style={{ opacity: dimmed ? 0.6 : 1, minWidth: width, width: "100%", tableLayout: "fixed" }}
        aria-busy={loading}
        aria-label={label}
        aria-rowcount={rows.length + 1}
      >
        <colgroup>
          <col style={{ width: CHECKBOX_WIDTH }} />
          {columns.map((column) => (
            <col key={column.key} style={{ width: column.width ?? 160 }} />
          ))}
        </colgroup>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>
              <Checkbox
                aria-label="Select all loaded rows"
                checked={allChosen}
                indeterminate={someChosen}
                disabled={rows.length === 0}
                onChange={(event) => onSelect(rows.map((row) => row.id), event.currentTarget.checked)}
              />
            </Table.Th>
            {columns.map((column) => (
              <SortableHeader key={column.key} column={column} sort={sort} onSort={onSort} />
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {loading &&
            rows.length === 0 &&
            Array.from({ length: 8 }, (_, index) => (
              <Table.Tr key={index} aria-hidden style={{ height: ROW_HEIGHT }}>
                <Table.Td />
                {columns.map((column) => (
                  <Table.Td key={column.key}>
                    <Skeleton height={14} radius="sm" />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          {top > 0 && (
            <tr aria-hidden style={{ height: top }}>
              <td colSpan={span} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index] as T;
            return (
              <VirtualRow
                key={row.id}
                row={row}
                index={item.index}
                columns={columns}
                context={context}
                chosen={selected.has(row.id)}
                href={rowHref?.(row)}
                onSelect={onSelect}
                onOpen={onOpen}
              />
            );
          })}
          {bottom > 0 && (
            <tr aria-hidden style={{ height: bottom }}>
              <td colSpan={span} />
            </tr>
          )}
        </Table.Tbody>
      </Table>
      {footer}
    </div>
  );
}

interface RowProps<T> {
  row: T;
  index: number;
  columns: ColumnDef<T>[];
  context: RenderContext;
  chosen: boolean;
  href: string | undefined;
  onSelect: (ids: number[], on: boolean) => void;
  onOpen: (href: string) => void;
}

/**
 * One row; unchanged rows are not rendered again while the table scrolls (their props stay the same). Plain
 * elements (not Mantine's Table.Td and Checkbox): a fast scroll renders dozens of new rows a frame.
 */
const VirtualRow = memo(function VirtualRow<T extends { id: number }>({ row, index, columns, context, chosen, href, onSelect, onOpen }: RowProps<T>) {
  return (
    <tr
      className="record-row"
      data-record-id={row.id}
      data-index={index}
      aria-rowindex={index + 2}
      aria-selected={chosen}
      data-chosen={chosen}
      style={{ height: ROW_HEIGHT, cursor: href ? "pointer" : "default" }}
      onClick={href ? () => onOpen(href) : undefined}
    >
      <td onClick={(event) => event.stopPropagation()}>
        <input
          type="checkbox"
          className="row-check"
          aria-label={`Select row ${index + 1}`}
          checked={chosen}
          onChange={(event) => onSelect([row.id], event.currentTarget.checked)}
        />
      </td>
      {columns.map((column) => (
        <td key={column.key} className="record-cell">
          {column.render(row, context)}
        </td>
      ))}
    </tr>
  );
}) as <T extends { id: number }>(props: RowProps<T>) => ReactNode;

function SortableHeader<T>({ column, sort, onSort }: { column: ColumnDef<T>; sort: string; onSort: (sort: string) => void }) {
  if (!column.sort) {
    return <Table.Th>{column.label}</Table.Th>;
  }
  const ascending = sort === column.sort;
  const descending = sort === `-${column.sort}`;
  return (
    <Table.Th aria-sort={ascending ? "ascending" : descending ? "descending" : "none"}>
      <UnstyledButton onClick={() => onSort(ascending ? `-${column.sort}` : (column.sort as string))} fw={600} fz="sm" maw="100%">
        <Group gap={4} wrap="nowrap">
          <span className="header-label">{column.label}</span>
          {ascending && <IconArrowUp size={14} />}
          {descending && <IconArrowDown size={14} />}
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}
