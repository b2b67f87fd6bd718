import { describe, expect, it } from "vitest";
import type { CustomField } from "../tables/tableData";
import { fromInput, inputType, toInput } from "./customValues";

const field = (type: CustomField["type"]): CustomField => ({
  id: 1, object_type: "deal", key: "k", label: "K", type, required: false, unique: false, default: null, options: [], position: 0,
});

describe("custom field values on a record page", () => {
  it("edit numbers, dates and times with the matching inputs", () => {
    expect(inputType(field("currency"))).toBe("number");
    expect(inputType(field("date"))).toBe("date");
    expect(inputType(field("datetime"))).toBe("datetime-local");
    expect(inputType(field("long_text"))).toBe("text");
  });

  it("send typed numbers as numbers, and what is not a number as typed (the API names the problem)", () => {
    expect(fromInput(field("number"), " 12.5 ")).toBe(12.5);
    expect(fromInput(field("currency"), "abc")).toBe("abc");
    expect(fromInput(field("relation"), "7")).toBe(7);
  });

  it("clear the field when the text is empty", () => {
    expect(fromInput(field("text"), "  ")).toBeNull();
    expect(toInput(field("text"), null)).toBe("");
  });

  it("show a stored moment in the browser's wall time and send it back as the same moment", () => {
    const stored = "2026-12-01T09:30:00Z";
    const local = toInput(field("datetime"), stored);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromInput(field("datetime"), local)).toBe(new Date(stored).toISOString());
  });
});
