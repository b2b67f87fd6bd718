// Custom field values on record pages: what an input shows for a stored value, and what a typed text is
// sent as. Values the API would refuse are sent as typed, so its message (naming the field) is shown.
import type { CustomField } from "../tables/tableData";

/** The input's type while editing a field of this type. */
export function inputType(field: CustomField): string {
  switch (field.type) {
    case "number":
    case "currency":
    case "relation":
      return "number";
    case "date":
      return "date";
    case "datetime":
      return "datetime-local";
    case "email":
      return "email";
    case "phone":
      return "tel";
    case "url":
      return "url";
    default:
      return "text";
  }
}

const pad = (value: number) => String(value).padStart(2, "0");

/** The stored value as the input's text ("" when there is none). */
export function toInput(field: CustomField, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (field.type === "datetime") {
    const moment = new Date(String(value));
    if (Number.isNaN(moment.getTime())) return String(value);
    // datetime-local shows the browser's wall time, without a zone.
    return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}T${pad(moment.getHours())}:${pad(moment.getMinutes())}`;
  }
  return String(value);
}

/** What to send for the typed text: null clears the field. */
export function fromInput(field: CustomField, text: string): unknown {
  const typed = text.trim();
  if (typed === "") return null;
  switch (field.type) {
    case "number":
    case "currency":
    case "relation": {
      const number = Number(typed);
      return Number.isFinite(number) ? number : typed;
    }
    case "datetime": {
      const moment = new Date(typed);
      return Number.isNaN(moment.getTime()) ? typed : moment.toISOString();
    }
    default:
      return typed;
  }
}
