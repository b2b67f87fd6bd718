import { describe, expect, it } from "vitest";
import { firstOpenStage, stageChoices, typedAmount, typedPercent } from "./dealFields";

const pipeline = {
  id: 1,
  name: "Sales",
  position: 0,
  created_at: "2026-12-01T00:00:00Z",
  stages: [
    { id: 13, name: "Won", position: 3, probability: 100, kind: "won" },
    { id: 11, name: "Lead in", position: 0, probability: 10, kind: "open" },
    { id: 14, name: "Lost", position: 4, probability: 0, kind: "lost" },
    { id: 12, name: "Proposal", position: 1, probability: 50, kind: "open" },
  ],
};

describe("the deal page's stage picker", () => {
  it("offers the pipeline's stages in order, closed ones marked", () => {
    expect(stageChoices(pipeline)).toEqual([
      { value: "11", label: "Lead in" },
      { value: "12", label: "Proposal" },
      { value: "13", label: "Won (won)" },
      { value: "14", label: "Lost (lost)" },
    ]);
    expect(stageChoices(undefined)).toEqual([]);
  });

  it("moves a deal to another pipeline's first open stage", () => {
    expect(firstOpenStage(pipeline)?.id).toBe(11);
    const closedFirst = { ...pipeline, stages: pipeline.stages.filter((stage) => stage.id === 13 || stage.id === 12) };
    expect(firstOpenStage(closedFirst)?.id).toBe(12);
  });
});

describe("typed deal values", () => {
  it("send whole percentages as numbers and anything else as typed", () => {
    expect(typedPercent(" 40 ")).toBe(40);
    expect(typedPercent("4.5")).toBe("4.5");
    expect(typedPercent("")).toBe("");
  });

  it("send amounts without grouping", () => {
    expect(typedAmount(" 12,500.50 ")).toBe("12500.50");
  });
});
