// Custom fields per record type: the list (with delete, which removes every record's value) and a form to
// define one (type, required, unique, default, choices).
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  Paper,
  SegmentedControl,
  Select,
  Skeleton,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, messageOf, unwrap, unwrapAs } from "../api/client";
import { keys } from "../api/keys";
import type { RecordType } from "../api/records";
import { useCustomFields, type CustomField, type CustomFieldType } from "../tables/tableData";
import { keyOf, typedDefault } from "./customFieldValues";
import { formErrors, NO_ERRORS, said, withoutField, type FormErrors } from "./errors";

const TYPES: { value: CustomFieldType; label: string }[] = [
  { value: "text", label: "Text" },
  { value: "long_text", label: "Long text" },
  { value: "number", label: "Number" },
  { value: "currency", label: "Amount" },
  { value: "date", label: "Date" },
  { value: "datetime", label: "Date and time" },
  { value: "boolean", label: "Yes / no" },
  { value: "select", label: "Choice" },
  { value: "multi_select", label: "Several choices" },
  { value: "user", label: "Member" },
  { value: "relation", label: "Link to a record" },
  { value: "email", label: "Email" },
  { value: "phone", label: "Phone" },
  { value: "url", label: "Web address" },
];

const OBJECTS: { value: RecordType; label: string }[] = [
  { value: "contact", label: "Contacts" },
  { value: "company", label: "Companies" },
  { value: "deal", label: "Deals" },
  { value: "lead", label: "Leads" },
];

export function CustomFieldsSettings() {
  const [type, setType] = useState<RecordType>("contact");
  const fields = useCustomFields(type);
  const client = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<CustomField | null>(null);
  const remove = async (field: CustomField) => {
    try {
      await unwrap(api.DELETE("/api/v1/custom-fields/{field_id}", { params: { path: { field_id: field.id } } }));
      await client.invalidateQueries({ queryKey: keys.customFields(type) });
      notifications.show({ message: `Deleted the field “${field.label}”.` });
    } catch (error) {
      notifications.show({ color: "red", title: "Not deleted", message: messageOf(error) });
    } finally {
      setDeleting(null);
    }
  };
  return (
    <Paper withBorder p="lg" radius="md">
      <Group justify="space-between" mb="md" wrap="wrap">
        <SegmentedControl aria-label="Record type" data={OBJECTS} value={type} onChange={(value) => setType(value as RecordType)} />
        <Button onClick={() => setCreating(true)}>New field</Button>
      </Group>
      {fields.isPending && <Skeleton height={120} />}
      {fields.isError && <Text c="red">{messageOf(fields.error)}</Text>}
      {fields.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No custom fields on {OBJECTS.find((item) => item.value === type)?.label.toLowerCase()} yet.
        </Text>
      )}
      {!!fields.data?.length && (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs" aria-label="Custom fields">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Label</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Rules</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {fields.data.map((field) => (
                <Table.Tr key={field.id}>
                  <Table.Td>{field.label}</Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {field.key}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {TYPES.find((item) => item.value === field.type)?.label ?? field.type}
                    {field.options.length > 0 && (
                      <Text size="xs" c="dimmed">
                        {field.options.join(", ")}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {field.required && <Badge size="xs">required</Badge>}
                      {field.unique && <Badge size="xs" color="grape">unique</Badge>}
                      {field.default !== null && (
                        <Badge size="xs" variant="outline" color="gray" tt="none">
                          default {String(field.default)}
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <ActionIcon variant="subtle" color="red" aria-label={`Delete ${field.label}`} onClick={() => setDeleting(field)}>
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <NewFieldModal type={type} opened={creating} onClose={() => setCreating(false)} />
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={`Delete ${deleting?.label ?? ""}?`}>
        <Stack>
          <Text size="sm">Every record's value of this field is deleted with it. This cannot be undone.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(null)}>
              Cancel
            </Button>
            <Button color="red" onClick={() => deleting && void remove(deleting)}>
              Delete field
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}

function NewFieldModal({ type, opened, onClose }: { type: RecordType; opened: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [label, setLabel] = useState("");
  const [key, setKey] = useState<string | null>(null);
  const [fieldType, setFieldType] = useState<CustomFieldType>("text");
  const [required, setRequired] = useState(false);
  const [unique, setUnique] = useState(false);
  const [fallback, setFallback] = useState("");
  const [options, setOptions] = useState<string[]>([]);
  const [related, setRelated] = useState<string | null>("company");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const chosenKey = key ?? keyOf(label);
  const submit = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      await unwrapAs<CustomField>(
        api.POST("/api/v1/custom-fields", {
          body: {
            object_type: type,
            key: chosenKey,
            label: label.trim(),
            type: fieldType,
            required,
            unique,
            default: typedDefault(fieldType, fallback),
            options: fieldType === "relation" ? [related] : fieldType.endsWith("select") ? options : [],
            position: 0,
          },
        }),
      );
      await client.invalidateQueries({ queryKey: keys.customFields(type) });
      notifications.show({ color: "teal", message: `Added the field “${label.trim()}”.` });
      setLabel("");
      setKey(null);
      setFallback("");
      setOptions([]);
      setRequired(false);
      setUnique(false);
      onClose();
    } catch (error) {
      setErrors(formErrors(error, ["label", "key", "type", "required", "unique", "default", "options"]));
    } finally {
      setBusy(false);
    }
  };
  const field = errors.fields;
  return (
    <Modal opened={opened} onClose={onClose} title="New custom field" size="lg">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Stack gap="sm">
          {errors.form && (
            <Alert color="red" role="alert">
              {errors.form}
            </Alert>
          )}
          <Group grow align="flex-start">
            <TextInput label="Label" data-autofocus value={label} onChange={(event) => { setLabel(event.currentTarget.value); setErrors((current) => withoutField(current, "label")); }} error={said("The label", field.label)} />
            <TextInput label="Key" description="Used in filters and the API" value={chosenKey} onChange={(event) => { setKey(event.currentTarget.value); setErrors((current) => withoutField(current, "key")); }} error={said("The key:", field.key)} />
          </Group>
          <Select label="Type" data={TYPES} value={fieldType} allowDeselect={false} onChange={(value) => setFieldType((value as CustomFieldType) ?? "text")} error={said("The type:", field.type)} />
          {fieldType.endsWith("select") && (
            <TagsInput label="Choices" placeholder="Type a choice, then Enter" value={options} onChange={(value) => { setOptions(value); setErrors((current) => withoutField(current, "options")); }} error={said("Choices:", field.options)} />
          )}
          {fieldType === "relation" && (
            <Select label="Links to" data={OBJECTS.map((item) => ({ value: item.value, label: item.label }))} value={related} onChange={setRelated} error={said("Links to:", field.options)} />
          )}
          {fieldType === "boolean" ? (
            <Select
              label="Default"
              data={[
                { value: "", label: "None" },
                { value: "true", label: "Yes" },
                { value: "false", label: "No" },
              ]}
              value={fallback}
              onChange={(value) => setFallback(value ?? "")}
              error={said("The default:", field.default)}
            />
          ) : (
            <TextInput
              label="Default"
              description={fieldType === "multi_select" ? "Choices separated by commas" : "Given to new records (and, when required, to existing ones)"}
              type={fieldType === "date" ? "date" : fieldType === "number" || fieldType === "currency" ? "number" : "text"}
              value={fallback}
              onChange={(event) => { setFallback(event.currentTarget.value); setErrors((current) => withoutField(current, "default")); }}
              error={said("The default:", field.default)}
            />
          )}
          <Group>
            <Checkbox label="Required" checked={required} onChange={(event) => setRequired(event.currentTarget.checked)} error={said("Required:", field.required)} />
            <Checkbox label="Unique" checked={unique} onChange={(event) => setUnique(event.currentTarget.checked)} error={said("Unique:", field.unique)} />
          </Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Add field
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
