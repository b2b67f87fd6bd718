import { describe, expect, it } from "vitest";
import { countsLabel, phaseLabel, rowsLabel, sizeLabel, stepOf } from "./status";

describe("an import's state in words", () => {
  it("puts each status on its step of the wizard", () => {
    const statuses = [null, "uploaded", "queued", "running", "done", "failed", "cancelled"] as const;
    expect(statuses.map(stepOf)).toEqual([0, 1, 2, 2, 3, 3, 3]);
  });

  it("names the phase, and the cancel once asked for", () => {
    const running = { status: "running" as const, phase: "matching" as const, cancel_requested: false };
    expect(phaseLabel(running)).toBe("Looking for duplicates");
    expect(phaseLabel({ ...running, phase: null })).toBe("Starting");
    expect(phaseLabel({ ...running, status: "queued" })).toBe("Waiting for a worker");
    expect(phaseLabel({ ...running, cancel_requested: true })).toBe("Cancelling…");
    expect(phaseLabel({ ...running, status: "cancelled", cancel_requested: true })).toBe("Cancelled");
  });

  it("counts rows before and after the total is known", () => {
    expect(rowsLabel({ percent: 20, rows_done: 120, rows_total: 0, rows_per_second: 60 })).toBe("120 rows read");
    expect(rowsLabel({ percent: 60, rows_done: 2, rows_total: 3, rows_per_second: 1 })).toBe("2 of 3 rows");
  });

  it("says only the counts that are not zero", () => {
    expect(countsLabel({ created: 2, updated: 0, skipped: 0, failed: 1 })).toBe("2 created · 1 failed");
    expect(countsLabel({ created: 0, updated: 0, skipped: 0, failed: 0 })).toBe("no rows");
  });

  it("sizes files", () => {
    expect([sizeLabel(900), sizeLabel(2048), sizeLabel(5 * 1024 * 1024)]).toEqual(["900 B", "2.0 KB", "5.0 MB"]);
  });
});
