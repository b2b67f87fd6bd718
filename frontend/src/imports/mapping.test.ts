import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import {
  hasProblems,
  initialMapping,
  localProblems,
  mappedCount,
  mergeProblems,
  problemsFromError,
  sampleValues,
  withField,
} from "./mapping";

// The API client is made at import with the page's address; tests run outside a page.
vi.hoisted(() => vi.stubGlobal("location", new URL("http://demo.localhost/")));

const FIELDS = [
  { name: "first_name", label: "First name" },
  { name: "last_name", label: "Last name" },
  { name: "email", label: "Email" },
  { name: "custom.tier", label: "Tier" },
];
const label = (name: string) => FIELDS.find((field) => field.name === name)?.label ?? name;

describe("the mapping's first state", () => {
  it("takes the suggestion for every column and leaves the others out", () => {
    const suggested = { "First Name": "first_name", "E-mail": "email", Notes: null };
    expect(initialMapping(["First Name", "E-mail", "Notes", "Extra"], FIELDS, suggested)).toEqual({
      "First Name": "first_name",
      "E-mail": "email",
      Notes: null,
      Extra: null,
    });
  });

  it("falls back to the import's saved mapping and drops fields that are not offered", () => {
    const saved = { Mail: "email", Level: "custom.gone" };
    expect(initialMapping(["Mail", "Level"], FIELDS, undefined, saved)).toEqual({ Mail: "email", Level: null });
  });
});

describe("problems with a mapping", () => {
  it("names the column that fills a field a second time", () => {
    let mapping = initialMapping(["Mail", "Work mail"], FIELDS, { Mail: "email", "Work mail": null });
    mapping = withField(mapping, "Work mail", "email");
    expect(localProblems(mapping, label)).toEqual({
      columns: { "Work mail": "Email is already filled from “Mail”" },
      general: null,
    });
    expect(localProblems(withField(mapping, "Work mail", null), label)).toEqual({ columns: {}, general: null });
  });

  it("asks for at least one column", () => {
    const problems = localProblems({ A: null, B: null }, label);
    expect(problems.general).toBe("Choose a field for at least one column.");
    expect(hasProblems(problems)).toBe(true);
    expect(mappedCount({ A: "email", B: null })).toBe(1);
  });

  it("puts the API's mapping errors on their columns, dots in column names included", () => {
    const refused = new ApiError({
      status: 422,
      type: "https://rapport.dev/problems/validation-error",
      title: "Unprocessable",
      detail: "The mapping is not valid.",
      errors: [
        { field: "mapping.Tier", message: "no field 'custom.unknown' to import into" },
        { field: "mapping.e.mail", message: "not allowed for your role" },
        { field: "mapping", message: "map either a full name or first and last names, not both" },
      ],
    });
    expect(problemsFromError(refused)).toEqual({
      columns: {
        Tier: "No field 'custom.unknown' to import into",
        "e.mail": "Not allowed for your role",
      },
      general: "Map either a full name or first and last names, not both",
    });
  });

  it("says the problem's detail when no field is named, and any other failure's message", () => {
    const conflict = new ApiError({ status: 409, type: "conflict", title: "Conflict", detail: "Import 4 is done." });
    expect(problemsFromError(conflict)).toEqual({ columns: {}, general: "Import 4 is done." });
    expect(problemsFromError(new Error("offline")).general).toBe("offline");
  });

  it("prefers what is found here over what the API said before", () => {
    const merged = mergeProblems(
      { columns: { A: "here" }, general: null },
      { columns: { A: "there", B: "there" }, general: "api" },
    );
    expect(merged).toEqual({ columns: { A: "here", B: "there" }, general: "api" });
  });
});

describe("sample values", () => {
  it("shows a column's first non-blank values", () => {
    const sample = [
      ["Ada", ""],
      ["Grace", "grace@navy.example"],
      ["", "alan@example.com"],
    ];
    expect(sampleValues(["Name", "Email"], sample, "Email")).toEqual(["grace@navy.example", "alan@example.com"]);
    expect(sampleValues(["Name", "Email"], [["Short row"]], "Email")).toEqual([]);
    expect(sampleValues(["Name"], sample, "Missing")).toEqual([]);
  });
});
