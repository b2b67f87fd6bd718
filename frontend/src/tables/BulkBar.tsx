// Actions on the selected rows through the list's bulk endpoint (one set-based request for up to 1,000
// ticked records, or for every record matching the table's filter and search): assign an owner, update a
// field, add or remove tags, delete (with an undo that restores them).
import { Alert, Button, Group, Modal, Paper, Select, Stack, TagsInput, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconTag, IconTagOff, IconTrash, IconUserShare, IconPencil } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError, messageOf, unwrapAs } from "../api/client";
import { keys } from "../api/keys";
import { COLLECTION, type RecordType } from "../api/records";
import type { BulkField } from "./columns";
import { describeSelection, targetOf, undoTargetOf, type Matching, type Selection } from "./selection";

type BulkPath = "/api/v1/contacts/bulk";

interface BulkBody {
  ids?: number[];
  matching?: Matching;
  action: "assign" | "update" | "delete" | "restore" | "tag" | "untag";
  owner_id?: string;
  field?: string;
  value?: unknown;
  tags?: string[];
}

interface BulkResult {
  changed: number;
  requested: number;
  /** A delete's moment, which its undo names. */
  deleted_at?: string;
}

export function runBulk(type: RecordType, body: BulkBody): Promise<BulkResult> {
  const path = `/api/v1/${COLLECTION[type]}/bulk` as BulkPath;
  return unwrapAs<BulkResult>(api.POST(path, { body }));
}

type Dialog = null | "assign" | "update" | "tag" | "untag";

export function BulkBar({
  type,
  singular,
  plural,
  selection,
  members,
  tags,
  bulkFields,
  canUpdate,
  canDelete,
  onDone,
}: {
  type: RecordType;
  singular: string;
  plural: string;
  selection: Selection;
  members: { value: string; label: string }[];
  tags: string[];
  bulkFields: BulkField[];
  canUpdate: boolean;
  canDelete: boolean;
  onDone: () => void;
}) {
  const client = useQueryClient();
  const [dialog, setDialog] = useState<Dialog>(null);
  const refresh = () => client.invalidateQueries({ queryKey: keys.records(type) });
  const count = describeSelection(selection, singular, plural);
  // After the fact the API says how many matched: "Changed 3 of 1,204 matching contacts".
  const outOf = (result: BulkResult) =>
    selection.kind === "ids" ? count : `${result.requested.toLocaleString()} matching ${plural.toLowerCase()}`;

  const remove = async () => {
    try {
      const result = await runBulk(type, { ...targetOf(selection), action: "delete" });
      await refresh();
      onDone();
      const notice = notifications.show({
        title: `Deleted ${result.changed.toLocaleString()} of ${outOf(result)}`,
        autoClose: 10_000,
        message: (
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => {
              notifications.hide(notice);
              void runBulk(type, { ...undoTargetOf(selection, result.deleted_at), action: "restore" })
                .then((restored) => {
                  notifications.show({ color: "teal", message: `Restored ${restored.changed}.` });
                  return refresh();
                })
                .catch((error: unknown) => notifications.show({ color: "red", message: messageOf(error) }));
            }}
          >
            Undo
          </Button>
        ),
      });
    } catch (error) {
      notifications.show({ color: "red", title: "Nothing was deleted", message: messageOf(error) });
    }
  };

  return (
    <Paper withBorder p="xs" radius="md" bg="indigo.0" role="region" aria-label="Bulk actions">
      <Group gap="xs" wrap="wrap">
        <Text size="sm" fw={600} mr="xs" data-testid="bulk-count">
          {count.charAt(0).toUpperCase() + count.slice(1)} selected
        </Text>
        {canUpdate && (
          <>
            <Button size="xs" variant="default" leftSection={<IconUserShare size={14} />} onClick={() => setDialog("assign")}>
              Assign owner
            </Button>
            {bulkFields.length > 0 && (
              <Button size="xs" variant="default" leftSection={<IconPencil size={14} />} onClick={() => setDialog("update")}>
                Update field
              </Button>
            )}
            <Button size="xs" variant="default" leftSection={<IconTag size={14} />} onClick={() => setDialog("tag")}>
              Add tag
            </Button>
            <Button size="xs" variant="default" leftSection={<IconTagOff size={14} />} onClick={() => setDialog("untag")}>
              Remove tag
            </Button>
          </>
        )}
        {canDelete && (
          <Button size="xs" variant="default" color="red" leftSection={<IconTrash size={14} />} onClick={() => void remove()}>
            Delete
          </Button>
        )}
        <Button size="xs" variant="subtle" onClick={onDone}>
          Clear selection
        </Button>
      </Group>
      <BulkDialog
        dialog={dialog}
        onClose={() => setDialog(null)}
        count={count}
        members={members}
        tags={tags}
        bulkFields={bulkFields}
        run={async (body) => {
          const result = await runBulk(type, { ...targetOf(selection), ...body });
          await refresh();
          if (body.action === "tag" || body.action === "untag") {
            await client.invalidateQueries({ queryKey: keys.tags });
          }
          notifications.show({ color: "teal", message: `Changed ${result.changed.toLocaleString()} of ${outOf(result)}.` });
          setDialog(null);
          onDone();
        }}
      />
    </Paper>
  );
}

const TITLES: Record<Exclude<Dialog, null>, string> = {
  assign: "Assign owner",
  update: "Update field",
  tag: "Add tags",
  untag: "Remove tags",
};

function BulkDialog({
  dialog,
  onClose,
  count,
  members,
  tags,
  bulkFields,
  run,
}: {
  dialog: Dialog;
  onClose: () => void;
  count: string;
  members: { value: string; label: string }[];
  tags: string[];
  bulkFields: BulkField[];
  run: (body: Omit<BulkBody, "ids" | "matching">) => Promise<void>;
}) {
  const [owner, setOwner] = useState<string | null>(null);
  const [field, setField] = useState<string | null>(null);
  const [value, setValue] = useState("");
  const [names, setNames] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const chosenField = bulkFields.find((item) => item.field === (field ?? bulkFields[0]?.field));

  const submit = async () => {
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      if (dialog === "assign") {
        await run({ action: "assign", owner_id: owner ?? "" });
      } else if (dialog === "update" && chosenField) {
        const typed =
          chosenField.input === "percent" ? Number(value) : value.trim() === "" ? null : value.trim();
        await run({ action: "update", field: chosenField.field, value: typed });
      } else if (dialog === "tag" || dialog === "untag") {
        await run({ action: dialog, tags: names });
      }
      setOwner(null);
      setValue("");
      setNames([]);
    } catch (error) {
      const found = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(found);
      // A message for a field this dialog has no input for (too many ids, too many matching, a filter the
      // API refuses) goes above the form.
      if (!["owner_id", "field", "value", "tags"].some((field) => field in found)) {
        const elsewhere = Object.entries(found).map(([field, message]) => `${field}: ${message}`);
        setFormError(messageOf(error) + (elsewhere.length ? ` (${elsewhere.join("; ")})` : ""));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={dialog !== null} onClose={onClose} title={dialog ? `${TITLES[dialog]} · ${count}` : ""}>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Stack gap="sm">
          {formError && (
            <Alert color="red" role="alert">
              {formError}
            </Alert>
          )}
          {dialog === "assign" && (
            <Select
              label="New owner"
              data={members}
              value={owner}
              onChange={setOwner}
              searchable
              error={errors.owner_id ? `The owner: ${errors.owner_id}` : undefined}
            />
          )}
          {dialog === "update" && chosenField && (
            <>
              <Select
                label="Field"
                data={bulkFields.map((item) => ({ value: item.field, label: item.label }))}
                value={chosenField.field}
                allowDeselect={false}
                onChange={(chosen) => {
                  setField(chosen);
                  setValue("");
                }}
                error={errors.field}
              />
              {chosenField.input === "choice" ? (
                <Select
                  label="New value"
                  data={chosenField.choices ?? []}
                  value={value || null}
                  onChange={(chosen) => setValue(chosen ?? "")}
                  error={errors.value ? `The value: ${errors.value}` : undefined}
                />
              ) : (
                <TextInput
                  label="New value"
                  type={chosenField.input === "date" ? "date" : chosenField.input === "percent" ? "number" : "text"}
                  description={chosenField.input === "text" || chosenField.input === "date" ? "Leave empty to clear it." : undefined}
                  value={value}
                  onChange={(event) => setValue(event.currentTarget.value)}
                  error={errors.value ? `The value: ${errors.value}` : undefined}
                />
              )}
            </>
          )}
          {(dialog === "tag" || dialog === "untag") && (
            <TagsInput
              label="Tags"
              data-autofocus
              placeholder="Type a tag, then Enter"
              data={tags}
              value={names}
              onChange={setNames}
              error={errors.tags ? `Tags: ${errors.tags}` : undefined}
            />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {dialog ? TITLES[dialog] : "Apply"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
