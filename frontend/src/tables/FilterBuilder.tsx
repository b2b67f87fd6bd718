// The filter builder: conditions of field + operator + value, matched all or any, edited in a popover and
// applied together (each applied filter is one list request, not one per keystroke).
import {
  ActionIcon,
  Badge,
  Button,
  Group,
  MultiSelect,
  Popover,
  SegmentedControl,
  Select,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from "@mantine/core";
import { IconFilter, IconPlus, IconX } from "@tabler/icons-react";
import { useState } from "react";
import { CompanySelect } from "../crm/CompanySelect";
import {
  initialValue,
  isComplete,
  opLabel,
  type Condition,
  type FilterField,
  type Match,
  type Value,
} from "./filters";

export interface FilterChoices {
  members: { value: string; label: string }[];
  tags: string[];
}

export function FilterBuilder({
  fields,
  conditions,
  match,
  choices,
  onApply,
}: {
  fields: FilterField[];
  conditions: Condition[];
  match: Match;
  choices: FilterChoices;
  onApply: (conditions: Condition[], match: Match) => void;
}) {
  const [opened, setOpened] = useState(false);
  const [draft, setDraft] = useState<Condition[]>([]);
  const [draftMatch, setDraftMatch] = useState<Match>("and");
  const byKey = new Map(fields.map((field) => [field.key, field]));
  const builtIn = fields.filter((field) => !field.key.startsWith("custom."));
  const custom = fields.filter((field) => field.key.startsWith("custom."));
  const fieldOptions = [
    { group: "Fields", items: builtIn.map((field) => ({ value: field.key, label: field.label })) },
    ...(custom.length ? [{ group: "Custom fields", items: custom.map((field) => ({ value: field.key, label: field.label })) }] : []),
  ];

  const open = () => {
    setDraft(conditions.length ? conditions : []);
    setDraftMatch(match);
    setOpened(true);
  };
  const change = (index: number, next: Partial<Condition>) =>
    setDraft((current) => current.map((item, at) => (at === index ? { ...item, ...next } : item)));
  const add = () => {
    const field = fields[0];
    if (field) {
      const op = field.ops[0] ?? "eq";
      setDraft((current) => [...current, { field: field.key, op, value: initialValue(field, op) }]);
    }
  };
  const apply = () => {
    onApply(draft.filter(isComplete), draftMatch);
    setOpened(false);
  };

  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-start" width={620} shadow="md" trapFocus>
      <Popover.Target>
        <Button
          variant={conditions.length ? "light" : "default"}
          leftSection={<IconFilter size={16} />}
          onClick={() => (opened ? setOpened(false) : open())}
          rightSection={conditions.length ? <Badge size="xs" circle>{conditions.length}</Badge> : null}
        >
          Filter
        </Button>
      </Popover.Target>
      <Popover.Dropdown maw="calc(100vw - 24px)">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            apply();
          }}
        >
          <Stack gap="sm" role="group" aria-label="Filter conditions">
            {draft.length > 1 && (
              <Group gap="xs">
                <Text size="sm">Match</Text>
                <SegmentedControl
                  size="xs"
                  aria-label="Match"
                  value={draftMatch}
                  onChange={(value) => setDraftMatch(value as Match)}
                  data={[
                    { value: "and", label: "all conditions" },
                    { value: "or", label: "any condition" },
                  ]}
                />
              </Group>
            )}
            {draft.length === 0 && (
              <Text size="sm" c="dimmed">
                No conditions: every record is shown.
              </Text>
            )}
            {draft.map((condition, index) => {
              const field = byKey.get(condition.field);
              return (
                <Group key={index} gap="xs" wrap="wrap" align="flex-start" data-testid="filter-condition">
                  <Select
                    aria-label={`Field of condition ${index + 1}`}
                    data={fieldOptions}
                    value={condition.field}
                    searchable
                    allowDeselect={false}
                    w={160}
                    comboboxProps={{ withinPortal: false }}
                    onChange={(key) => {
                      const next = key ? byKey.get(key) : undefined;
                      if (next) {
                        const op = next.ops.includes(condition.op) ? condition.op : (next.ops[0] ?? "eq");
                        change(index, { field: next.key, op, value: initialValue(next, op) });
                      }
                    }}
                  />
                  <Select
                    aria-label={`Operator of condition ${index + 1}`}
                    data={(field?.ops ?? []).map((op) => ({ value: op, label: opLabel(field, op) }))}
                    value={condition.op}
                    allowDeselect={false}
                    w={140}
                    comboboxProps={{ withinPortal: false }}
                    onChange={(op) => {
                      if (op && field) {
                        const typed = op as Condition["op"];
                        const keep = (typed === "in") === (condition.op === "in") && (typed === "between") === (condition.op === "between");
                        change(index, { op: typed, value: keep && !typed.includes("empty") ? condition.value : initialValue(field, typed) });
                      }
                    }}
                  />
                  {field && (
                    <ValueInput
                      field={field}
                      condition={condition}
                      index={index}
                      choices={choices}
                      onChange={(value) => change(index, { value })}
                    />
                  )}
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    mt={6}
                    aria-label={`Remove condition ${index + 1}`}
                    onClick={() => setDraft((current) => current.filter((_, at) => at !== index))}
                  >
                    <IconX size={16} />
                  </ActionIcon>
                </Group>
              );
            })}
            <Group justify="space-between">
              <Button variant="subtle" size="xs" leftSection={<IconPlus size={14} />} onClick={add}>
                Add condition
              </Button>
              <Group gap="xs">
                {draft.length > 0 && (
                  <Button variant="default" size="xs" onClick={() => setDraft([])}>
                    Clear all
                  </Button>
                )}
                <Button size="xs" type="submit">
                  Apply
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      </Popover.Dropdown>
    </Popover>
  );
}

function ValueInput({
  field,
  condition,
  index,
  choices,
  onChange,
}: {
  field: FilterField;
  condition: Condition;
  index: number;
  choices: FilterChoices;
  onChange: (value: Value) => void;
}) {
  const label = `Value of condition ${index + 1}`;
  const { op, value } = condition;
  const common = { "aria-label": label, w: 210, comboboxProps: { withinPortal: false } };
  if (op === "is_empty" || op === "is_not_empty") {
    return null;
  }
  if (field.kind === "boolean") {
    return (
      <Select
        {...common}
        data={[
          { value: "true", label: "Yes" },
          { value: "false", label: "No" },
        ]}
        value={value === false ? "false" : "true"}
        allowDeselect={false}
        onChange={(chosen) => onChange(chosen === "true")}
      />
    );
  }
  const options = field.members ? choices.members : field.tags ? choices.tags.map((tag) => ({ value: tag, label: tag })) : field.choices;
  if (options) {
    return op === "in" ? (
      <MultiSelect {...common} data={options} value={(value as string[]) ?? []} searchable onChange={onChange} />
    ) : (
      <Select {...common} data={options} value={(value as string) || null} searchable onChange={(chosen) => onChange(chosen ?? "")} />
    );
  }
  if (field.reference === "company" && op !== "in") {
    return (
      <CompanySelect
        {...common}
        value={value ? Number(value) : null}
        onChange={(id) => onChange(id === null ? "" : String(id))}
      />
    );
  }
  const type = field.kind === "date" || field.kind === "datetime" || field.day ? "date" : field.kind === "number" || field.kind === "id" ? "number" : "text";
  if (op === "in") {
    return (
      <TagsInput
        {...common}
        placeholder="Type a value, then Enter"
        value={(value as string[]) ?? []}
        onChange={onChange}
      />
    );
  }
  if (op === "between") {
    const [low, high] = (value as string[]) ?? ["", ""];
    return (
      <Group gap={4} wrap="nowrap">
        <TextInput aria-label={`${label}, from`} type={type} w={130} value={low ?? ""} onChange={(event) => onChange([event.currentTarget.value, high ?? ""])} />
        <Text size="sm">and</Text>
        <TextInput aria-label={`${label}, to`} type={type} w={130} value={high ?? ""} onChange={(event) => onChange([low ?? "", event.currentTarget.value])} />
      </Group>
    );
  }
  return <TextInput aria-label={label} type={type} w={210} value={(value as string) ?? ""} onChange={(event) => onChange(event.currentTarget.value)} />;
}
