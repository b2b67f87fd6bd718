// What an import's state says to a person: the wizard's step, the phase, progress and counts in words.
import type { Import, ImportStatus, ImportType } from "./api";

export const STEPS = ["Upload", "Map columns", "Import", "Result"] as const;

/** The wizard's step for an import (none yet: the upload). */
export function stepOf(status: ImportStatus | null): number {
  switch (status) {
    case null:
      return 0;
    case "uploaded":
      return 1;
    case "queued":
    case "running":
      return 2;
    default:
      return 3;
  }
}

export function isActive(status: ImportStatus): boolean {
  return status === "queued" || status === "running";
}

const PHASES: Record<string, string> = {
  reading: "Reading and checking the rows",
  checking: "Checking related records",
  matching: "Looking for duplicates",
  writing: "Writing the records",
};

export function phaseLabel(imported: Pick<Import, "status" | "phase" | "cancel_requested">): string {
  if (imported.cancel_requested && isActive(imported.status)) {
    return "Cancelling…";
  }
  if (imported.status === "queued") {
    return "Waiting for a worker";
  }
  if (imported.status === "running") {
    return (imported.phase && PHASES[imported.phase]) ?? "Starting";
  }
  return STATUS_LABELS[imported.status];
}

export const STATUS_LABELS: Record<ImportStatus, string> = {
  uploaded: "Not started",
  queued: "Queued",
  running: "Running",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const STATUS_COLORS: Record<ImportStatus, string> = {
  uploaded: "gray",
  queued: "blue",
  running: "blue",
  done: "teal",
  failed: "red",
  cancelled: "orange",
};

export const TYPE_LABELS: Record<ImportType, { plural: string; singular: string }> = {
  contact: { plural: "Contacts", singular: "contact" },
  company: { plural: "Companies", singular: "company" },
  lead: { plural: "Leads", singular: "lead" },
};

const number = new Intl.NumberFormat();

/** "1,200 of 5,000 rows" while the total is known; "1,200 rows read" while the file is still read. */
export function rowsLabel(progress: Import["progress"]): string {
  if (progress.rows_total > 0) {
    return `${number.format(progress.rows_done)} of ${number.format(progress.rows_total)} rows`;
  }
  return `${number.format(progress.rows_done)} rows read`;
}

export function rateLabel(progress: Import["progress"]): string {
  return `${number.format(progress.rows_per_second)} rows/s`;
}

/** "2 created · 1 failed": the counts that are not zero. */
export function countsLabel(counts: Import["counts"]): string {
  const parts = (["created", "updated", "skipped", "failed"] as const)
    .filter((name) => counts[name] > 0)
    .map((name) => `${number.format(counts[name])} ${name}`);
  return parts.length ? parts.join(" · ") : "no rows";
}

export function sizeLabel(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  if (bytes < 1024 * 1024) {
    return `${(bytes / 1024).toFixed(1)} KB`;
  }
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
