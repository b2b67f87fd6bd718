// What a table shows, from the address and the chosen saved view. `?view=<id>` applies a saved view; the
// filter (the API's JSON tree), sort and columns set in the address override it (`filter`, `sort`,
// `cols`), so a reload or a shared link shows the same table, and "changed from the view" is just
// "the address overrides something".
import type { Filter } from "../api/records";

export interface SavedView {
  id: number;
  object_type: string;
  name: string;
  shared: boolean;
  user_id: string;
  filter: Filter | Record<string, never>;
  sort: string;
  columns: string[];
}

export interface TableState {
  filter: Filter | undefined;
  sort: string;
  columns: string[];
  q: string;
}

export interface Defaults {
  sort: string;
  columns: string[];
}

function parseFilter(raw: string | null): Filter | undefined | "invalid" {
  if (raw === null || raw === "") {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? Object.keys(parsed).length
        ? (parsed as Filter)
        : undefined
      : "invalid";
  } catch {
    return "invalid";
  }
}

function viewFilter(view: SavedView): Filter | undefined {
  return Object.keys(view.filter ?? {}).length ? (view.filter as Filter) : undefined;
}

/** The view's own state (its sort "id" is the API's default: the table's default then). */
export function stateOfView(view: SavedView | undefined, defaults: Defaults): Omit<TableState, "q"> {
  if (!view) {
    return { filter: undefined, sort: defaults.sort, columns: defaults.columns };
  }
  return {
    filter: viewFilter(view),
    sort: view.sort && view.sort !== "id" ? view.sort : defaults.sort,
    columns: view.columns.length ? view.columns : defaults.columns,
  };
}

/** The table's state: the view's (or the defaults), with what the address sets on top. */
export function resolveState(params: URLSearchParams, view: SavedView | undefined, defaults: Defaults): TableState {
  const base = stateOfView(view, defaults);
  const filter = params.has("filter") ? parseFilter(params.get("filter")) : base.filter;
  const cols = params.get("cols");
  return {
    filter: filter === "invalid" ? base.filter : filter,
    sort: params.get("sort") || base.sort,
    columns: cols ? cols.split(",").filter(Boolean) : base.columns,
    q: params.get("q") ?? "",
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Whether the table differs from its view (or, without one, from the defaults). */
export function differsFromView(state: TableState, view: SavedView | undefined, defaults: Defaults): boolean {
  const base = stateOfView(view, defaults);
  return !same(state.filter, base.filter) || state.sort !== base.sort || !same(state.columns, base.columns);
}

/** The address after a change of the table's state: only what differs from the view is written. */
export function withState(
  params: URLSearchParams,
  change: Partial<Omit<TableState, "q">>,
  view: SavedView | undefined,
  defaults: Defaults,
): URLSearchParams {
  const next = new URLSearchParams(params);
  const base = stateOfView(view, defaults);
  if ("filter" in change) {
    if (same(change.filter, base.filter)) next.delete("filter");
    else next.set("filter", JSON.stringify(change.filter ?? {}));
  }
  if (change.sort !== undefined) {
    if (change.sort === base.sort) next.delete("sort");
    else next.set("sort", change.sort);
  }
  if (change.columns !== undefined) {
    if (same(change.columns, base.columns)) next.delete("cols");
    else next.set("cols", change.columns.join(","));
  }
  return next;
}

/** The address showing a saved view (or none) as it was saved. */
export function withView(params: URLSearchParams, viewId: number | null): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const name of ["filter", "sort", "cols"]) {
    next.delete(name);
  }
  if (viewId === null) next.delete("view");
  else next.set("view", String(viewId));
  return next;
}

/** Whether this member may change the view: their own, or a shared one as an owner or admin (as the API). */
export function mayChangeView(view: SavedView, me: { user_id: string; role: string } | null | undefined): boolean {
  if (!me) return false;
  return view.user_id === me.user_id || (view.shared && (me.role === "owner" || me.role === "admin"));
}
