import { describe as suite, expect, it } from "vitest";
import { describe, fromFilter, isComplete, opsFor, toFilter, type Condition, type FilterField } from "./filters";

const FIELDS: FilterField[] = [
  { key: "name", label: "Name", kind: "text", ops: opsFor("text", { trigram: true }) },
  { key: "company", label: "Company", kind: "id", ops: ["eq", "ne", "is_empty", "is_not_empty"] },
  { key: "amount", label: "Amount", kind: "number", ops: opsFor("number") },
  { key: "created_at", label: "Created", kind: "datetime", ops: opsFor("datetime") },
  { key: "tag", label: "Tag", kind: "tag", ops: opsFor("tag") },
  { key: "custom.tier", label: "Tier", kind: "text", ops: opsFor("text"), choices: [{ value: "gold", label: "Gold" }] },
  { key: "custom.vip", label: "VIP", kind: "boolean", ops: opsFor("boolean") },
  { key: "custom.renewal", label: "Renewal", kind: "text", ops: opsFor("text", { ordered: true }), day: "datetime" },
];

suite("operators", () => {
  it("offers what the list API accepts for each kind", () => {
    expect(opsFor("text")).toEqual(["eq", "ne", "in", "is_empty", "is_not_empty"]);
    expect(opsFor("text", { trigram: true })).toContain("contains");
    expect(opsFor("text", { ordered: true })).toContain("between");
    expect(opsFor("boolean")).toEqual(["eq", "ne"]);
    expect(opsFor("multi")).toEqual(["eq", "in"]);
    expect(opsFor("tag")).toEqual(["eq", "ne", "in"]);
    expect(opsFor("number")).toEqual(["eq", "ne", "in", "lt", "lte", "gt", "gte", "between", "is_empty", "is_not_empty"]);
  });
});

suite("toFilter", () => {
  it("gives nothing for no (or only incomplete) conditions", () => {
    expect(toFilter([], "and", FIELDS)).toBeUndefined();
    expect(toFilter([{ field: "name", op: "contains", value: "  " }], "and", FIELDS)).toBeUndefined();
  });

  it("sends one condition as a leaf, with the API's types", () => {
    expect(toFilter([{ field: "company", op: "eq", value: "12" }], "and", FIELDS)).toEqual({
      field: "company",
      op: "eq",
      value: 12,
    });
    expect(toFilter([{ field: "custom.vip", op: "eq", value: false }], "and", FIELDS)).toEqual({
      field: "custom.vip",
      op: "eq",
      value: false,
    });
  });

  it("groups several with and/or, and says 'is not empty' as is_empty false", () => {
    const conditions: Condition[] = [
      { field: "custom.tier", op: "eq", value: "gold" },
      { field: "amount", op: "between", value: ["100", "500"] },
      { field: "company", op: "is_not_empty", value: null },
      { field: "tag", op: "in", value: ["VIP", "2026"] },
    ];
    expect(toFilter(conditions, "or", FIELDS)).toEqual({
      or: [
        { field: "custom.tier", op: "eq", value: "gold" },
        { field: "amount", op: "between", value: ["100", "500"] },
        { field: "company", op: "is_empty", value: false },
        { field: "tag", op: "in", value: ["VIP", "2026"] },
      ],
    });
  });

  it("compares times with the start or the end of the picked day", () => {
    const before = toFilter([{ field: "created_at", op: "lte", value: "2026-12-01" }], "and", FIELDS) as { value: string };
    expect(before.value).toBe(new Date("2026-12-01T23:59:59.999").toISOString());
    const after = toFilter([{ field: "created_at", op: "gte", value: "2026-12-01" }], "and", FIELDS) as { value: string };
    expect(after.value).toBe(new Date("2026-12-01T00:00:00").toISOString());
    const custom = toFilter([{ field: "custom.renewal", op: "between", value: ["2026-01-01", "2026-01-31"] }], "and", FIELDS);
    expect(custom).toEqual({ field: "custom.renewal", op: "between", value: ["2026-01-01T00:00:00Z", "2026-01-31T23:59:59Z"] });
  });

  it("leaves out conditions on fields it does not know", () => {
    expect(toFilter([{ field: "custom.gone", op: "eq", value: "x" }], "and", FIELDS)).toBeUndefined();
  });
});

suite("fromFilter", () => {
  it("reads back what toFilter wrote", () => {
    const conditions: Condition[] = [
      { field: "custom.tier", op: "eq", value: "gold" },
      { field: "company", op: "is_not_empty", value: null },
      { field: "custom.vip", op: "ne", value: true },
      { field: "created_at", op: "gte", value: "2026-12-01" },
      { field: "custom.renewal", op: "lt", value: "2027-01-01" },
    ];
    expect(fromFilter(toFilter(conditions, "and", FIELDS), FIELDS)).toEqual({ conditions, match: "and" });
    expect(fromFilter(toFilter(conditions.slice(0, 2), "or", FIELDS), FIELDS)?.match).toBe("or");
  });

  it("shows nothing for an empty tree and null for one the builder cannot edit", () => {
    expect(fromFilter({}, FIELDS)).toEqual({ conditions: [], match: "and" });
    expect(fromFilter(undefined, FIELDS)).toEqual({ conditions: [], match: "and" });
    const nested = { and: [{ field: "name", op: "eq", value: "a" }, { or: [{ field: "name", op: "eq", value: "b" }] }] };
    expect(fromFilter(nested, FIELDS)).toBeNull();
  });
});

suite("conditions", () => {
  it("are complete once they say enough", () => {
    expect(isComplete({ field: "name", op: "is_empty", value: null })).toBe(true);
    expect(isComplete({ field: "amount", op: "between", value: ["1", ""] })).toBe(false);
    expect(isComplete({ field: "tag", op: "in", value: [] })).toBe(false);
    expect(isComplete({ field: "custom.vip", op: "eq", value: false })).toBe(true);
  });

  it("read as a sentence", () => {
    const tier = FIELDS[5];
    expect(describe({ field: "custom.tier", op: "eq", value: "gold" }, tier, (value) => (value === "gold" ? "Gold" : value))).toBe(
      "Tier is Gold",
    );
    expect(describe({ field: "created_at", op: "lt", value: "2026-12-01" }, FIELDS[3])).toBe("Created before 2026-12-01");
    expect(describe({ field: "tag", op: "eq", value: "VIP" }, FIELDS[4])).toBe("Tag has VIP");
    expect(describe({ field: "company", op: "is_not_empty", value: null }, FIELDS[1])).toBe("Company is not empty");
  });
});
