import { describe, expect, it } from "vitest";
import { keyOf, typedDefault } from "./customFieldValues";
import { moved } from "./stages";

describe("new custom field", () => {
  it("makes a key the API accepts from the label", () => {
    expect(keyOf("Renewal date")).toBe("renewal_date");
    expect(keyOf("  2nd Café (EU) ")).toBe("nd_cafe_eu");
    expect(keyOf("x".repeat(60))).toHaveLength(40);
  });

  it("types the default as the field's type", () => {
    expect(typedDefault("number", " 12.5 ")).toBe(12.5);
    expect(typedDefault("boolean", "false")).toBe(false);
    expect(typedDefault("multi_select", "a, b,,c")).toEqual(["a", "b", "c"]);
    expect(typedDefault("text", "   ")).toBeNull();
    expect(typedDefault("select", "gold")).toBe("gold");
  });
});

describe("stages", () => {
  it("move up and down, and not past either end", () => {
    expect(moved(["a", "b", "c"], 1, -1)).toEqual(["b", "a", "c"]);
    expect(moved(["a", "b", "c"], 1, 1)).toEqual(["a", "c", "b"]);
    expect(moved(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
    expect(moved(["a", "b", "c"], 2, 1)).toEqual(["a", "b", "c"]);
  });
});
