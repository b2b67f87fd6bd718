import { describe, expect, it } from "vitest";
import type { Failure } from "./api";
import {
  cellErrors,
  cellValue,
  isChosen,
  retryRows,
  rowErrors,
  shownColumns,
  withEdit,
  type Edits,
} from "./retry";

const HEADERS = ["First Name", "Last Name", "E-mail", "Notes"];
const MAPPING = { "First Name": "first_name", "Last Name": "last_name", "E-mail": "email", Notes: null };
const grace: Failure = {
  row: 3,
  cells: { "First Name": "Grace", "Last Name": "Hopper", "E-mail": "grace@" },
  errors: [
    { column: "E-mail", field: "email", message: "not a valid email address" },
    { column: "E-mail", field: "email", message: "too short" },
  ],
};
const nobody: Failure = {
  row: 4,
  cells: { "First Name": "", "Last Name": "" },
  errors: [
    { column: null, field: "name", message: "a first or last name is required" },
    { column: "Notes", field: "notes", message: "odd" },
  ],
};

describe("editing failed rows", () => {
  it("keeps only the cells that differ from the file", () => {
    let edits: Edits = withEdit({}, grace, "E-mail", "grace@navy.example");
    expect(cellValue(grace, edits, "E-mail")).toBe("grace@navy.example");
    expect(cellValue(grace, edits, "Notes")).toBe("");
    edits = withEdit(edits, grace, "E-mail", "grace@");
    expect(edits).toEqual({});
  });

  it("retries an edited row unless the person unticks it, and an untouched row when ticked", () => {
    const edits = withEdit({}, grace, "E-mail", "grace@navy.example");
    expect(isChosen({}, edits, 3)).toBe(true);
    expect(isChosen({ 3: false }, edits, 3)).toBe(false);
    expect(isChosen({}, edits, 4)).toBe(false);
    expect(isChosen({ 4: true }, edits, 4)).toBe(true);
  });
});

describe("the retry's rows", () => {
  it("sends the chosen rows with their fixes applied, in the file's columns", () => {
    const edits = withEdit({}, grace, "E-mail", "grace@navy.example");
    expect(retryRows([grace, nobody], edits, {}, HEADERS)).toEqual([
      { row: 3, cells: { "First Name": "Grace", "Last Name": "Hopper", "E-mail": "grace@navy.example" } },
    ]);
  });

  it("sends a row ticked without edits as the file had it, and a new value in an empty column", () => {
    const edits = withEdit({}, nobody, "Notes", "called twice");
    expect(retryRows([grace, nobody], edits, { 3: true, 4: true }, HEADERS)).toEqual([
      { row: 3, cells: grace.cells },
      { row: 4, cells: { "First Name": "", "Last Name": "", Notes: "called twice" } },
    ]);
  });

  it("sends nothing when no row is chosen", () => {
    expect(retryRows([grace], withEdit({}, grace, "E-mail", "x@y.example"), { 3: false }, HEADERS)).toEqual([]);
  });
});

describe("the failure table", () => {
  it("groups a cell's messages and keeps the row's own apart", () => {
    expect(cellErrors(grace).get("E-mail")).toEqual(["not a valid email address", "too short"]);
    expect(rowErrors(nobody)).toEqual(["a first or last name is required"]);
    expect(rowErrors(grace)).toEqual([]);
  });

  it("shows the imported columns and those an error names", () => {
    expect(shownColumns(HEADERS, MAPPING, [grace])).toEqual(["First Name", "Last Name", "E-mail"]);
    expect(shownColumns(HEADERS, MAPPING, [grace, nobody])).toEqual(HEADERS);
  });
});
