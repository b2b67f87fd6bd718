// The kanban's cache edits: a moved deal leaves its column's pages and enters the target column's, in
// the column's order (amount, largest first), before the API has answered.
import type { InfiniteData } from "@tanstack/react-query";
import type { Deal, Filter, ListParams, Page } from "../api/records";

export type Column = InfiniteData<Page<Deal>, string | null>;

export const COLUMN_SORT = "-amount";

export function columnParams(pipeline: number, stage: number): ListParams {
  const filter: Filter = {
    and: [
      { field: "pipeline", op: "eq", value: pipeline },
      { field: "stage", op: "eq", value: stage },
    ],
  };
  return { filter, sort: COLUMN_SORT };
}

export function withoutDeal(column: Column | undefined, id: number): Column | undefined {
  if (!column) {
    return column;
  }
  return {
    ...column,
    pages: column.pages.map((page) => ({ ...page, items: page.items.filter((deal) => deal.id !== id) })),
  };
}

const amountOf = (deal: Deal) => Number(deal.amount ?? 0);

/** `deal` placed among the loaded deals by amount (descending, then id descending, as the API sorts). */
export function withDeal(column: Column | undefined, deal: Deal): Column | undefined {
  if (!column) {
    return column;
  }
  const pages = column.pages.map((page) => ({ ...page, items: page.items.filter((item) => item.id !== deal.id) }));
  const before = (item: Deal) =>
    amountOf(item) > amountOf(deal) || (amountOf(item) === amountOf(deal) && item.id > deal.id);
  for (const [index, page] of pages.entries()) {
    const at = page.items.findIndex((item) => !before(item));
    const last = index === pages.length - 1;
    if (at >= 0 || (last && !page.next_cursor)) {
      const position = at >= 0 ? at : page.items.length;
      pages[index] = { ...page, items: [...page.items.slice(0, position), deal, ...page.items.slice(position)] };
      return { ...column, pages };
    }
  }
  // It sorts after every loaded deal and more are to come: it will show when that page loads.
  return { ...column, pages };
}

export function loadedDeals(column: InfiniteData<Page<Deal>, unknown> | undefined): Deal[] {
  return column?.pages.flatMap((page) => page.items) ?? [];
}
