// A record's custom fields on its page, each edited in place by its type: text-like ones as inline text,
// choices as selects, yes/no as a checkbox. A PATCH sends `custom: {key: value}` (the API merges it; null
// clears it) and the API's message for `custom.<key>` shows at the field.
import { Checkbox, MultiSelect, Select, Skeleton, Text } from "@mantine/core";
import { useState } from "react";
import { messageOf } from "../api/client";
import { useMemberEmails, useMembers } from "../api/workspaceData";
import { renderCustom } from "../tables/customColumns";
import type { RenderContext } from "../tables/columns";
import { useCustomFields, type CustomField } from "../tables/tableData";
import type { RecordType } from "../api/records";
import { fromInput, inputType, toInput } from "./customValues";
import { errorsFor, FieldRow, InlineText, ReadOnlyValue } from "./InlineFields";

type Save = (custom: Record<string, unknown>) => Promise<unknown>;

export function CustomFieldRows({
  type,
  values,
  save,
  readOnly,
}: {
  type: RecordType;
  /** The record's `custom` (absent when the member's role hides custom fields: nothing is shown). */
  values: Record<string, unknown> | undefined;
  save: Save;
  readOnly: boolean;
}) {
  const fields = useCustomFields(type);
  const members = useMembers();
  const emails = useMemberEmails();
  const memberChoices = (members.data?.items ?? [])
    .filter((member) => member.active)
    .map((member) => ({ value: member.user_id, label: member.email }));
  if (values === undefined) {
    return null;
  }
  if (fields.isPending) {
    return <Skeleton height={28} my={6} />;
  }
  if (fields.isError) {
    return (
      <Text size="sm" c="red">
        {messageOf(fields.error)}
      </Text>
    );
  }
  const context: RenderContext = { names: {}, members: emails, stages: new Map(), pipelines: new Map() };
  return (
    <>
      {fields.data.map((field) => (
        <FieldRow key={field.key} label={field.label}>
          <CustomValue field={field} value={values[field.key]} save={save} readOnly={readOnly} context={context}
            memberChoices={memberChoices} />
        </FieldRow>
      ))}
    </>
  );
}

function CustomValue({
  field,
  value,
  save,
  readOnly,
  context,
  memberChoices,
}: {
  field: CustomField;
  value: unknown;
  save: Save;
  readOnly: boolean;
  context: RenderContext;
  memberChoices: { value: string; label: string }[];
}) {
  const [error, setError] = useState<string | undefined>();
  const empty = value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
  const shown = renderCustom(field, value, context);
  if (readOnly) {
    return <ReadOnlyValue empty={empty}>{shown}</ReadOnlyValue>;
  }
  const send = (next: unknown) =>
    save({ [field.key]: next })
      .then(() => setError(undefined))
      .catch((caught: unknown) => {
        const found = errorsFor(caught, `custom.${field.key}`);
        setError(found.field ? `${field.label}: ${found.field}` : found.detail);
      });
  switch (field.type) {
    case "boolean":
      return (
        <Checkbox
          aria-label={field.label}
          mt={4}
          checked={value === true}
          error={error}
          onChange={(event) => void send(event.currentTarget.checked)}
        />
      );
    case "select":
    case "user":
      return (
        <Select
          aria-label={field.label}
          size="xs"
          maw={260}
          clearable
          searchable={field.type === "user"}
          data={field.type === "user" ? memberChoices : field.options}
          value={empty ? null : String(value)}
          error={error}
          onChange={(chosen) => void send(chosen)}
        />
      );
    case "multi_select":
      return (
        <MultiSelect
          aria-label={field.label}
          size="xs"
          maw={320}
          clearable
          data={field.options}
          value={Array.isArray(value) ? (value as string[]) : []}
          error={error}
          onChange={(chosen) => void send(chosen)}
        />
      );
    default:
      return (
        <InlineText
          label={field.label}
          field={`custom.${field.key}`}
          errorLabel={field.label}
          type={inputType(field)}
          value={toInput(field, value)}
          display={shown}
          save={(text) => save({ [field.key]: fromInput(field, text) })}
        />
      );
  }
}
