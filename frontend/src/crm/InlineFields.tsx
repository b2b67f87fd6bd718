// Fields of a record page that edit in place: click (or Enter) to edit, Enter or leaving the field saves,
// Escape cancels. A save the API refuses keeps the field open with the API's message for that field.
import { ActionIcon, Anchor, Button, Group, Loader, Stack, Text, TextInput } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useState, type ReactNode } from "react";
import { Link } from "react-router";
import { ApiError, messageOf } from "../api/client";
import type { Entry } from "../api/records";
import { CompanySelect } from "./CompanySelect";

export interface FieldErrors {
  /** The API's message for the field itself ("is required"), to follow the field's name. */
  field?: string;
  /** Messages for its items (`emails.0` → 0). */
  items: Record<number, string>;
  /** The problem's detail when no message names the field. */
  detail?: string;
}

/** What the API said about `field` (and its items) in a failed save. */
export function errorsFor(error: unknown, field: string): FieldErrors {
  if (!(error instanceof ApiError)) {
    return { items: {}, detail: messageOf(error) };
  }
  const found: FieldErrors = { items: {} };
  for (const [name, message] of Object.entries(error.fieldErrors())) {
    if (name === field) {
      found.field = message;
    } else if (name.startsWith(`${field}.`)) {
      found.items[Number(name.slice(field.length + 1))] = message;
    }
  }
  if (found.field === undefined && Object.keys(found.items).length === 0) {
    found.detail = messageOf(error);
  }
  return found;
}

/** The message to show for a failed save: the field's name and the API's message, or the problem's detail. */
export function say(label: string, errors: FieldErrors): string | undefined {
  return errors.field ? `${label} ${errors.field}` : errors.detail;
}

function capitalized(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** A labelled field; `shown={false}` (a field the member's role hides, absent from the record) renders nothing. */
export function FieldRow({ label, children, shown = true }: { label: string; children: ReactNode; shown?: boolean }) {
  if (!shown) {
    return null;
  }
  return (
    <Group align="flex-start" wrap="nowrap" gap="md" py={6}>
      <Text size="sm" c="dimmed" w={130} style={{ flexShrink: 0 }} pt={4}>
        {label}
      </Text>
      <div style={{ flex: 1, minWidth: 0 }}>{children}</div>
    </Group>
  );
}

function Display({ label, empty, onEdit, children }: { label: string; empty: boolean; onEdit: () => void; children: ReactNode }) {
  return (
    <div
      className="inline-field"
      role="button"
      tabIndex={0}
      aria-label={`Edit ${label}`}
      onClick={onEdit}
      onKeyDown={(event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          onEdit();
        }
      }}
    >
      {empty ? (
        <Text size="sm" c="dimmed">
          Empty
        </Text>
      ) : (
        children
      )}
    </div>
  );
}

/** A field the member may not change: its value, or "Empty". */
export function ReadOnlyValue({ children, empty }: { children: ReactNode; empty: boolean }) {
  return empty ? (
    <Text size="sm" c="dimmed" pt={4}>
      Empty
    </Text>
  ) : (
    <div className="inline-field-read">{children}</div>
  );
}

export function InlineText({
  label,
  field,
  value,
  save,
  errorLabel,
  type = "text",
  display,
  readOnly = false,
}: {
  label: string;
  field: string;
  value: string | null | undefined;
  save: (value: string) => Promise<unknown>;
  /** How the API's message starts (the field's name, e.g. "The title"). */
  errorLabel: string;
  /** The input's type while editing (`date`, `number`…). */
  type?: string;
  /** How the value shows when not editing (by default as it is). */
  display?: ReactNode;
  /** The member may not change it: no editing. */
  readOnly?: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);

  if (readOnly) {
    return (
      <ReadOnlyValue empty={!value}>
        <Text size="sm">{display ?? value}</Text>
      </ReadOnlyValue>
    );
  }

  const commit = async () => {
    if (draft === (value ?? "")) {
      setEditing(false);
      setError(undefined);
      return;
    }
    setSaving(true);
    try {
      await save(draft);
      setEditing(false);
      setError(undefined);
    } catch (caught) {
      setError(say(errorLabel, errorsFor(caught, field)));
    } finally {
      setSaving(false);
    }
  };

  if (!editing) {
    return (
      <Display
        label={label}
        empty={!value}
        onEdit={() => {
          setDraft(value ?? "");
          setEditing(true);
        }}
      >
        <Text size="sm">{display ?? value}</Text>
      </Display>
    );
  }
  return (
    <TextInput
      aria-label={label}
      type={type}
      size="sm"
      autoFocus
      value={draft}
      error={error}
      disabled={saving}
      rightSection={saving ? <Loader size="xs" /> : null}
      onChange={(event) => setDraft(event.currentTarget.value)}
      onBlur={() => void commit()}
      onKeyDown={(event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          void commit();
        } else if (event.key === "Escape") {
          setEditing(false);
          setError(undefined);
        }
      }}
    />
  );
}

export function InlineEntries({
  label,
  field,
  entries,
  kind,
  save,
}: {
  label: string;
  field: "emails" | "phones";
  entries: Entry[] | undefined;
  kind: "email" | "tel";
  save: (entries: Entry[]) => Promise<unknown>;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Entry[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({ items: {} });
  const [saving, setSaving] = useState(false);

  if (!editing) {
    return (
      <Display
        label={label}
        empty={!entries?.length}
        onEdit={() => {
          setDraft(entries?.length ? entries.map((entry) => ({ ...entry })) : [{ value: "", primary: true }]);
          setErrors({ items: {} });
          setEditing(true);
        }}
      >
        <Stack gap={2}>
          {entries?.map((entry) => (
            <Text size="sm" key={entry.value}>
              {entry.value}
              {entry.label ? (
                <Text span size="xs" c="dimmed">
                  {" "}
                  · {entry.label}
                </Text>
              ) : null}
            </Text>
          ))}
        </Stack>
      </Display>
    );
  }

  const commit = async () => {
    setSaving(true);
    try {
      await save(draft.filter((entry) => entry.value.trim()));
      setEditing(false);
    } catch (caught) {
      setErrors(errorsFor(caught, field));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Stack gap={6}>
      {draft.map((entry, index) => (
        <Group key={index} gap={6} wrap="nowrap" align="flex-start">
          <TextInput
            aria-label={`${label} ${index + 1}`}
            type={kind}
            size="sm"
            style={{ flex: 1 }}
            autoFocus={index === 0}
            value={entry.value}
            error={errors.items[index] ? capitalized(errors.items[index]) : undefined}
            onChange={(event) => {
              const value = event.currentTarget.value;
              setDraft((current) => current.map((item, at) => (at === index ? { ...item, value } : item)));
            }}
            onKeyDown={(event) => {
              if (event.key === "Enter") {
                event.preventDefault();
                void commit();
              } else if (event.key === "Escape") {
                setEditing(false);
              }
            }}
          />
          <ActionIcon
            variant="subtle"
            color="gray"
            mt={4}
            aria-label={`Remove ${label} ${index + 1}`}
            onClick={() => setDraft((current) => current.filter((_, at) => at !== index))}
          >
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      {(errors.field || errors.detail) && (
        <Text size="xs" c="red" role="alert">
          {errors.field ? capitalized(errors.field) : errors.detail}
        </Text>
      )}
      <Group gap="xs">
        <Button
          size="xs"
          variant="subtle"
          leftSection={<IconPlus size={14} />}
          onClick={() => setDraft((current) => [...current, { value: "" }])}
        >
          Add
        </Button>
        <Button size="xs" onClick={() => void commit()} loading={saving}>
          Save
        </Button>
        <Button size="xs" variant="default" onClick={() => setEditing(false)}>
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}

export function InlineCompany({
  label,
  field,
  value,
  name,
  save,
  readOnly = false,
}: {
  label: string;
  field: string;
  value: number | null | undefined;
  name: string | undefined;
  save: (id: number | null) => Promise<unknown>;
  readOnly?: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | undefined>();
  if (!editing || readOnly) {
    return (
      <Group gap="xs" wrap="nowrap">
        {value ? (
          <Anchor component={Link} to={`/companies/${value}`} size="sm">
            {name ?? "…"}
          </Anchor>
        ) : (
          <Text size="sm" c="dimmed">
            Empty
          </Text>
        )}
        {!readOnly && (
          <Button size="compact-xs" variant="subtle" onClick={() => setEditing(true)} aria-label={`Edit ${label}`}>
            Change
          </Button>
        )}
      </Group>
    );
  }
  return (
    <CompanySelect
      aria-label={label}
      size="sm"
      autoFocus
      defaultDropdownOpened
      value={value ?? null}
      valueLabel={name}
      error={error}
      onDropdownClose={() => setEditing(false)}
      onChange={(id) => {
        save(id)
          .then(() => {
            setEditing(false);
            setError(undefined);
          })
          .catch((caught: unknown) => setError(say(`The ${label.toLowerCase()}`, errorsFor(caught, field))));
      }}
    />
  );
}
