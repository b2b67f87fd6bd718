import { describe, expect, it } from "vitest";
import type { Page } from "../api/records";
import { amountEdit, applyBody, customEdit, mayEdit, percentEdit, textEdit, withRow, withSaved } from "./cellEdit";
import { permissionsOf } from "./permissions";
import type { CustomField } from "./tableData";

const field = (type: CustomField["type"], options: string[] = []): CustomField => ({
  id: 1, object_type: "contact", key: "tier", label: "Tier", type, required: false, unique: false, default: null, options, position: 0,
});

describe("which cells edit", () => {
  const rep = permissionsOf({
    key: "rep",
    admin: false,
    permissions: {
      objects: {
        contact: { ops: ["read", "update"], scope: "all", fields: { title: "read_only", phones: "hidden" } },
        company: { ops: ["read", "update"], scope: "all", fields: { custom: "read_only" } },
        deal: { ops: ["read"], scope: "all" },
      },
    },
  });

  it("leaves out fields the role makes read-only or hides, and types it may not update", () => {
    expect(mayEdit(rep, "contact", "title")).toBe(false);
    expect(mayEdit(rep, "contact", "phones")).toBe(false);
    expect(mayEdit(rep, "contact", "custom.tier")).toBe(true);
    expect(mayEdit(rep, "company", "domain")).toBe(true);
    expect(mayEdit(rep, "company", "custom.tier")).toBe(false);
    expect(mayEdit(rep, "deal", "amount")).toBe(false);
    expect(mayEdit(undefined, "contact", "title")).toBe(false);
  });

  it("edits custom fields of simple kinds only", () => {
    for (const type of ["boolean", "multi_select", "user", "relation", "datetime"] as const) {
      expect(customEdit(field(type))).toBeUndefined();
    }
    expect(customEdit(field("number"))?.input).toBe("number");
    expect(customEdit(field("date"))?.input).toBe("date");
    expect(customEdit(field("select", ["gold", "silver"]))?.choices).toEqual([
      { value: "gold", label: "gold" },
      { value: "silver", label: "silver" },
    ]);
  });
});

describe("what a cell sends", () => {
  it("sends only the changed field, empty text as null", () => {
    const title = textEdit<{ id: number; title?: string | null }>("title", "Title");
    expect(title.value({ id: 1, title: null })).toBe("");
    expect(title.body("  CTO ")).toEqual({ title: "CTO" });
    expect(title.body("  ")).toEqual({ title: null });
    expect(title.errorLabel).toBe("The title");
  });

  it("sends amounts as decimal text and percentages as numbers (or as typed, for the API to refuse)", () => {
    expect(amountEdit().body("12,500.50")).toEqual({ amount: "12500.50" });
    expect(percentEdit().body("40")).toEqual({ probability: 40 });
    expect(percentEdit().body("lots")).toEqual({ probability: "lots" });
  });

  it("sends a custom value under custom, typed by the field", () => {
    const spec = customEdit<{ id: number; custom?: Record<string, unknown> }>(field("number"))!;
    expect(spec.value({ id: 1, custom: { tier: 3 } })).toBe("3");
    expect(spec.body("4")).toEqual({ custom: { tier: 4 } });
    expect(spec.body("")).toEqual({ custom: { tier: null } });
  });
});

describe("the loaded rows", () => {
  type Row = { id: number; title?: string | null; custom?: Record<string, unknown> };
  const page = (items: Row[]): Page<Row> => ({ items, next_cursor: null, estimated_total: null });

  it("applies a body, merging custom values", () => {
    expect(applyBody({ id: 1, title: "a", custom: { a: 1, b: 2 } }, { custom: { b: 3 } })).toEqual({
      id: 1, title: "a", custom: { a: 1, b: 3 },
    });
    expect(applyBody({ id: 1, title: "a" }, { title: "b" })).toEqual({ id: 1, title: "b" });
  });

  it("changes only the row's page and row", () => {
    const data = { pages: [page([{ id: 1 }, { id: 2 }]), page([{ id: 3 }])], pageParams: [null, "c"] };
    const next = withRow(data, 2, (row) => ({ ...row, title: "x" }))!;
    expect(next.pages[0]!.items[1]).toEqual({ id: 2, title: "x" });
    expect(next.pages[0]!.items[0]).toBe(data.pages[0]!.items[0]);
    expect(next.pages[1]).toBe(data.pages[1]);
    expect(withRow(data, 9, (row) => row)).toBe(data);
    expect(withRow(undefined, 1, (row) => row)).toBeUndefined();
  });

  it("takes the saved values of the loaded fields only", () => {
    expect(withSaved({ id: 1, title: "cto " }, { id: 1, title: "CTO", emails: [] })).toEqual({ id: 1, title: "CTO" });
  });
});
