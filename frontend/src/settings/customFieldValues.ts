// What the new-field form sends: a key made from the label, and the default typed as the field's type.
import type { CustomFieldType } from "../tables/tableData";

/** A key from a label: "Renewal date" → renewal_date. */
export function keyOf(label: string): string {
  const key = label
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^[^a-z]+|_+$/g, "");
  return key.slice(0, 40);
}

/** The default as the API takes it for the type ("" is none). */
export function typedDefault(type: CustomFieldType, value: string): unknown {
  const text = value.trim();
  if (text === "") return null;
  if (type === "number" || type === "currency") return Number(text);
  if (type === "boolean") return text === "true";
  if (type === "multi_select") return text.split(",").map((item) => item.trim()).filter(Boolean);
  if (type === "relation") return Number(text);
  return text;
}
