import { describe, expect, it } from "vitest";
import { describeSelection, matchingLabel, offerAllMatching, targetOf, undoTargetOf, type Selection } from "./selection";

const VIP = { field: "tag", op: "eq", value: "vip" };
const ALL: Selection = { kind: "matching", filter: VIP, q: "ann", estimate: 12_345, loaded: 100, more: true };

describe("bulk selection", () => {
  it("sends ticked rows as ids, and 'all matching' as the table's filter and search", () => {
    expect(targetOf({ kind: "ids", ids: [3, 5] })).toEqual({ ids: [3, 5] });
    expect(targetOf(ALL)).toEqual({ matching: { filter: VIP, q: "ann" } });
    expect(targetOf({ ...ALL, filter: undefined, q: "" })).toEqual({ matching: { filter: {} } });
  });

  it("undoes a matching delete with the records that delete removed", () => {
    expect(undoTargetOf(ALL, "2026-12-01T10:00:00.123456Z")).toEqual({
      matching: { filter: VIP, q: "ann", deleted_at: "2026-12-01T10:00:00.123456Z" },
    });
    expect(undoTargetOf({ kind: "ids", ids: [1] }, "2026-12-01T10:00:00Z")).toEqual({ ids: [1] });
  });

  it("announces the estimate, never fewer than the rows loaded, and the exact count once all are loaded", () => {
    expect(matchingLabel(12_345, 100, true)).toBe(`≈ ${(12_345).toLocaleString()}`);
    expect(matchingLabel(40, 100, true)).toBe("100+");
    expect(matchingLabel(null, 100, true)).toBe("100+");
    expect(matchingLabel(12_345, 130, false)).toBe("130");
    expect(describeSelection({ kind: "ids", ids: [1] }, "contact", "Contacts")).toBe("1 contact");
    expect(describeSelection(ALL, "contact", "Contacts")).toBe(`all ≈ ${(12_345).toLocaleString()} matching contacts`);
  });

  it("offers all matching only when every loaded row is ticked and more are to come", () => {
    const loaded = [1, 2, 3];
    expect(offerAllMatching(new Set([1, 2, 3]), loaded, true)).toBe(true);
    expect(offerAllMatching(new Set([1, 2]), loaded, true)).toBe(false);
    expect(offerAllMatching(new Set([1, 2, 3]), loaded, false)).toBe(false);
    expect(offerAllMatching(new Set(), [], true)).toBe(false);
  });
});
