import { describe, expect, it } from "vitest";
import { customFilterField, customSortable } from "./customColumns";
import { permissionsOf } from "./permissions";
import type { CustomField } from "./tableData";

const field = (type: CustomField["type"], options: string[] = []): CustomField => ({
  id: 1, object_type: "contact", key: "k", label: "K", type, required: false, unique: false, default: null, options, position: 0,
});

describe("permissions", () => {
  const role = {
    key: "rep",
    admin: false,
    permissions: {
      objects: {
        "*": { ops: ["read"], scope: "all", fields: {} },
        contact: { ops: ["read", "update"], scope: "own", fields: { title: "hidden", owner_id: "read_only" } },
      },
    },
  };

  it("read the member's rule per type, or the role's rule for every type", () => {
    const permissions = permissionsOf(role);
    expect(permissions.can("contact", "update")).toBe(true);
    expect(permissions.can("contact", "delete")).toBe(false);
    expect(permissions.can("deal", "read")).toBe(true);
    expect(permissions.can("deal", "update")).toBe(false);
    expect([...permissions.hidden("contact")]).toEqual(["title"]);
    expect([...permissions.readOnly("contact")]).toEqual(["owner_id"]);
    expect(permissions.hidden("deal").size).toBe(0);
  });

  it("give nothing for a type no rule covers", () => {
    const none = permissionsOf({ key: "x", admin: false, permissions: { objects: {} } });
    expect(none.can("contact", "read")).toBe(false);
  });
});

describe("custom fields in tables", () => {
  it("filter as the list API indexes them", () => {
    expect(customFilterField(field("long_text"))).toBeNull();
    expect(customFilterField(field("multi_select", ["a"]))?.ops).toEqual(["eq", "in"]);
    expect(customFilterField(field("number"))?.kind).toBe("number");
    expect(customFilterField(field("date"))).toMatchObject({ kind: "text", day: "date" });
    expect(customFilterField(field("date"))?.ops).toContain("between");
    expect(customFilterField(field("text"))?.ops).not.toContain("contains");
    expect(customFilterField(field("select", ["gold"]))?.choices).toEqual([{ value: "gold", label: "gold" }]);
  });

  it("sort unless boolean, multi-select or long text", () => {
    expect(customSortable(field("number"))).toBe(true);
    expect(customSortable(field("boolean"))).toBe(false);
    expect(customSortable(field("multi_select"))).toBe(false);
  });
});
