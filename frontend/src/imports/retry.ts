// The failed rows' fixes: edits by row and column over the report's cells, which rows go back, and the
// retry call's rows (each the row's cells with the edits applied).
import type { Failure, FixedRow, Mapping } from "./api";

/** Row number → file column → the text typed in. Only cells that differ from the file are kept. */
export type Edits = Record<number, Record<string, string>>;
/** Row number → whether it is retried, where the person chose; otherwise an edited row is. */
export type Choices = Record<number, boolean>;

export function cellValue(failure: Failure, edits: Edits, column: string): string {
  return edits[failure.row]?.[column] ?? failure.cells[column] ?? "";
}

export function withEdit(edits: Edits, failure: Failure, column: string, value: string): Edits {
  const row = { ...edits[failure.row] };
  if (value === (failure.cells[column] ?? "")) {
    delete row[column];
  } else {
    row[column] = value;
  }
  const next = { ...edits };
  if (Object.keys(row).length === 0) {
    delete next[failure.row];
  } else {
    next[failure.row] = row;
  }
  return next;
}

export function isEdited(edits: Edits, row: number): boolean {
  return edits[row] !== undefined;
}

export function isChosen(choices: Choices, edits: Edits, row: number): boolean {
  return choices[row] ?? isEdited(edits, row);
}

/** The messages about each column of a row (a cell can break several rules). */
export function cellErrors(failure: Failure): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const error of failure.errors) {
    if (error.column !== null) {
      found.set(error.column, [...(found.get(error.column) ?? []), error.message]);
    }
  }
  return found;
}

/** What is wrong with the row as a whole (no column to put it on). */
export function rowErrors(failure: Failure): string[] {
  return failure.errors.filter((error) => error.column === null).map((error) => error.message);
}

/**
 * The columns the table shows: those imported (the rest are not read, so fixing them changes nothing)
 * and any other one an error names, in the file's order.
 */
export function shownColumns(headers: string[], mapping: Mapping, failures: Failure[]): string[] {
  const named = new Set(failures.flatMap((failure) => failure.errors.map((error) => error.column)));
  return headers.filter((column) => mapping[column] || named.has(column));
}

/** The rows to send back: the chosen ones, with their cells as fixed (only the file's columns). */
export function retryRows(
  failures: Failure[],
  edits: Edits,
  choices: Choices,
  headers: string[],
): FixedRow[] {
  return failures
    .filter((failure) => isChosen(choices, edits, failure.row))
    .map((failure) => {
      const cells: Record<string, string> = {};
      for (const column of headers) {
        const value = cellValue(failure, edits, column);
        if (value !== "" || column in failure.cells) {
          cells[column] = value;
        }
      }
      return { row: failure.row, cells };
    });
}
