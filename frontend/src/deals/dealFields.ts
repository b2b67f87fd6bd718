// What the deal page offers for a deal's pipeline and stage, and how typed amounts and percentages are sent.
import type { Schemas } from "../api/client";

type Pipeline = Schemas["PipelineOut"];
type Stage = Schemas["StageOut"];

/** The stages of the deal's pipeline, in order, as choices ("Won" and "Lost" marked). */
export function stageChoices(pipeline: Pipeline | undefined): { value: string; label: string }[] {
  return [...(pipeline?.stages ?? [])]
    .sort((a, b) => a.position - b.position)
    .map((stage) => ({
      value: String(stage.id),
      label: stage.kind === "open" ? stage.name : `${stage.name} (${stage.kind})`,
    }));
}

/** Where a deal moved to another pipeline goes: its first open stage (the API wants a stage of it). */
export function firstOpenStage(pipeline: Pipeline | undefined): Stage | undefined {
  const stages = [...(pipeline?.stages ?? [])].sort((a, b) => a.position - b.position);
  return stages.find((stage) => stage.kind === "open") ?? stages[0];
}

export function stageColor(kind: string | undefined): string {
  return kind === "won" ? "teal" : kind === "lost" ? "red" : "indigo";
}

/** A typed whole percentage as a number; anything else as typed, so the API's message names the field. */
export function typedPercent(text: string): number {
  const trimmed = text.trim();
  const number = Number(trimmed);
  return (trimmed !== "" && Number.isInteger(number) ? number : trimmed) as number;
}

/** A typed amount as the API's decimal text ("12,500.50" → "12500.50"). */
export function typedAmount(text: string): string {
  return text.trim().replace(/[\s,]/g, "");
}
