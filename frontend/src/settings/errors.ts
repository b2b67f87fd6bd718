// Field errors of a failed settings form: the API's messages by field, and what no field claims.
import { ApiError, messageOf } from "../api/client";

export interface FormErrors {
  fields: Record<string, string>;
  form: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, form: null };

/** `known`: the fields the form shows; a message for another field goes above the form with its name. */
export function formErrors(error: unknown, known: string[]): FormErrors {
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  const elsewhere = Object.entries(fields).filter(([field]) => !known.includes(field));
  const form = elsewhere.length
    ? elsewhere.map(([field, message]) => `${field}: ${message}`).join("; ")
    : Object.keys(fields).length
      ? null
      : messageOf(error);
  return { fields, form };
}

/** "The label is required": the API's message after the field's name. */
export function said(label: string, message: string | undefined): string | undefined {
  return message ? `${label} ${message}` : undefined;
}

/** The errors without the one of `field` (it is being edited). */
export function withoutField(errors: FormErrors, field: string): FormErrors {
  if (!(field in errors.fields)) return errors;
  const { [field]: _dropped, ...rest } = errors.fields;
  return { ...errors, fields: rest };
}
