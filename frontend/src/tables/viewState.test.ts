import { describe, expect, it } from "vitest";
import { differsFromView, mayChangeView, resolveState, withState, withView, type SavedView } from "./viewState";

const DEFAULTS = { sort: "-created_at", columns: ["name", "email"] };
const GOLD = { field: "custom.tier", op: "eq", value: "gold" };
const VIEW: SavedView = {
  id: 7,
  object_type: "contact",
  name: "Gold",
  shared: false,
  user_id: "u1",
  filter: GOLD,
  sort: "last_name",
  columns: ["name", "custom.tier"],
};

describe("resolveState", () => {
  it("starts from the defaults", () => {
    expect(resolveState(new URLSearchParams(), undefined, DEFAULTS)).toEqual({
      filter: undefined,
      sort: "-created_at",
      columns: ["name", "email"],
      q: "",
    });
  });

  it("applies a saved view, whose API default sort means the table's default", () => {
    expect(resolveState(new URLSearchParams("view=7"), VIEW, DEFAULTS)).toEqual({
      filter: GOLD,
      sort: "last_name",
      columns: ["name", "custom.tier"],
      q: "",
    });
    const unsorted = { ...VIEW, sort: "id", columns: [] };
    expect(resolveState(new URLSearchParams(), unsorted, DEFAULTS)).toMatchObject({ sort: "-created_at", columns: DEFAULTS.columns });
  });

  it("lets the address override the view, and ignores a filter that is not JSON", () => {
    const params = new URLSearchParams({ view: "7", filter: "{}", sort: "-last_name", cols: "name", q: "ann" });
    expect(resolveState(params, VIEW, DEFAULTS)).toEqual({ filter: undefined, sort: "-last_name", columns: ["name"], q: "ann" });
    expect(resolveState(new URLSearchParams({ filter: "{oops" }), VIEW, DEFAULTS).filter).toEqual(GOLD);
  });
});

describe("changes", () => {
  it("write only what differs from the view, so going back clears the address", () => {
    const silver = { field: "custom.tier", op: "eq", value: "silver" };
    let params = withState(new URLSearchParams("view=7"), { filter: silver }, VIEW, DEFAULTS);
    expect(params.get("filter")).toBe(JSON.stringify(silver));
    expect(differsFromView(resolveState(params, VIEW, DEFAULTS), VIEW, DEFAULTS)).toBe(true);
    params = withState(params, { filter: GOLD, columns: ["name", "custom.tier"] }, VIEW, DEFAULTS);
    expect(params.toString()).toBe("view=7");
    expect(differsFromView(resolveState(params, VIEW, DEFAULTS), VIEW, DEFAULTS)).toBe(false);
  });

  it("removing every condition of a view's filter is a change too", () => {
    const params = withState(new URLSearchParams("view=7"), { filter: undefined }, VIEW, DEFAULTS);
    expect(params.get("filter")).toBe("{}");
    expect(resolveState(params, VIEW, DEFAULTS).filter).toBeUndefined();
  });

  it("choosing a view drops the overrides and keeps the search", () => {
    const params = withView(new URLSearchParams({ filter: "{}", sort: "x", cols: "a", q: "ann" }), 7);
    expect(params.toString()).toBe("q=ann&view=7");
    expect(withView(params, null).toString()).toBe("q=ann");
  });
});

describe("mayChangeView", () => {
  const member = { user_id: "u2", role: "member" };
  const admin = { user_id: "u3", role: "admin" };

  it("lets the author change their view, shared or not", () => {
    expect(mayChangeView(VIEW, { user_id: "u1", role: "member" })).toBe(true);
    expect(mayChangeView({ ...VIEW, shared: true }, { user_id: "u1", role: "read-only" })).toBe(true);
  });

  it("lets owners and admins change a shared view, and nobody else", () => {
    expect(mayChangeView({ ...VIEW, shared: true }, admin)).toBe(true);
    expect(mayChangeView({ ...VIEW, shared: true }, { user_id: "u4", role: "owner" })).toBe(true);
    expect(mayChangeView({ ...VIEW, shared: true }, member)).toBe(false);
    expect(mayChangeView(VIEW, admin)).toBe(false); // another person's private view (the API hides it anyway)
    expect(mayChangeView(VIEW, null)).toBe(false);
  });
});
