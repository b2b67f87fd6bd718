// Form state with the API's field errors: a failed submit puts each `errors[].field` message on its field,
// and the problem's detail above the form when no field claims it.
import { useState } from "react";
import { ApiError, messageOf } from "../api/client";

/** The API's messages follow the field's name ("is required"): say them after the field's label. */
export function fieldMessage(label: string | undefined, message: string | undefined): string | undefined {
  if (!message) {
    return undefined;
  }
  return label ? `${label} ${message}` : message.charAt(0).toUpperCase() + message.slice(1);
}

export function useApiForm<T extends Record<string, string>>(
  initial: T,
  labels: Partial<Record<keyof T, string>> = {},
) {
  const [values, setValues] = useState<T>(initial);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const field = (name: keyof T & string) => ({
    value: values[name],
    error: fieldMessage(labels[name], fieldErrors[name]),
    onChange: (event: { currentTarget: { value: string } }) => {
      const value = event.currentTarget.value;
      setValues((current) => ({ ...current, [name]: value }));
      setFieldErrors(({ [name]: _dropped, ...rest }) => rest);
    },
  });

  async function submit(action: (values: T) => Promise<void>): Promise<void> {
    setSubmitting(true);
    setFormError(null);
    setFieldErrors({});
    try {
      await action(values);
    } catch (error) {
      const errors = error instanceof ApiError ? error.fieldErrors() : {};
      const known = Object.keys(errors).filter((name) => name in values);
      setFieldErrors(errors);
      if (known.length === 0) {
        setFormError(messageOf(error));
      }
    } finally {
      setSubmitting(false);
    }
  }

  return { values, setValues, field, submit, submitting, formError, fieldErrors };
}
