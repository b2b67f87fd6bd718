// Saved views: pick one (yours and the shared ones), save the table as a new view, save changes to the
// current one, or delete it. The API checks a view like the list request it makes; its field errors show
// in the dialog.
import { ActionIcon, Alert, Button, Checkbox, Group, Menu, Modal, Select, Stack, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconDeviceFloppy, IconDots, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError, messageOf, unwrap, unwrapAs } from "../api/client";
import { keys } from "../api/keys";
import type { RecordType } from "../api/records";
import { useSession } from "../auth/session";
import type { SavedView, TableState } from "./viewState";

const ALL = "all";

export function ViewMenu({
  type,
  title,
  views,
  current,
  state,
  changed,
  onChoose,
}: {
  type: RecordType;
  title: string;
  views: SavedView[];
  current: SavedView | undefined;
  state: TableState;
  changed: boolean;
  onChoose: (id: number | null) => void;
}) {
  const client = useQueryClient();
  const session = useSession();
  const [saving, setSaving] = useState(false);
  const me = session.data?.user_id;
  const admin = session.data?.role === "owner" || session.data?.role === "admin";
  const mine = views.filter((view) => view.user_id === me);
  const shared = views.filter((view) => view.user_id !== me);
  const editable = current !== undefined && (current.user_id === me || admin);
  const body = { filter: state.filter ?? {}, sort: state.sort, columns: state.columns };

  const saveChanges = async () => {
    if (!current) return;
    try {
      await unwrap(api.PATCH("/api/v1/views/{view_id}", { params: { path: { view_id: current.id } }, body }));
      await client.invalidateQueries({ queryKey: keys.views(type) });
      onChoose(current.id);
      notifications.show({ color: "teal", message: `Saved “${current.name}”.` });
    } catch (error) {
      notifications.show({ color: "red", title: "The view was not saved", message: messageOf(error) });
    }
  };
  const remove = async () => {
    if (!current) return;
    try {
      await unwrap(api.DELETE("/api/v1/views/{view_id}", { params: { path: { view_id: current.id } } }));
      onChoose(null);
      await client.invalidateQueries({ queryKey: keys.views(type) });
      notifications.show({ message: `Deleted the view “${current.name}”.` });
    } catch (error) {
      notifications.show({ color: "red", title: "The view was not deleted", message: messageOf(error) });
    }
  };

  return (
    <Group gap={4} wrap="nowrap">
      <Select
        aria-label="Saved view"
        w={200}
        value={current ? String(current.id) : ALL}
        allowDeselect={false}
        onChange={(value) => onChoose(value === ALL || value === null ? null : Number(value))}
        data={[
          { group: "Views", items: [{ value: ALL, label: `All ${title.toLowerCase()}` }] },
          ...(mine.length ? [{ group: "My views", items: mine.map((view) => ({ value: String(view.id), label: view.name })) }] : []),
          ...(shared.length
            ? [{ group: "Shared", items: shared.map((view) => ({ value: String(view.id), label: view.name })) }]
            : []),
        ]}
      />
      {changed && editable ? (
        <Button variant="light" leftSection={<IconDeviceFloppy size={16} />} onClick={() => void saveChanges()}>
          Save view
        </Button>
      ) : (
        changed && (
          <Button variant="light" leftSection={<IconDeviceFloppy size={16} />} onClick={() => setSaving(true)}>
            Save view
          </Button>
        )
      )}
      <Menu position="bottom-end" shadow="md">
        <Menu.Target>
          <ActionIcon variant="subtle" color="gray" size="lg" aria-label="View actions">
            <IconDots size={18} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item leftSection={<IconDeviceFloppy size={16} />} onClick={() => setSaving(true)}>
            Save as new view…
          </Menu.Item>
          {current && editable && (
            <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => void remove()}>
              Delete “{current.name}”
            </Menu.Item>
          )}
        </Menu.Dropdown>
      </Menu>
      <SaveViewModal
        opened={saving}
        onClose={() => setSaving(false)}
        type={type}
        state={state}
        onSaved={(view) => {
          setSaving(false);
          onChoose(view.id);
        }}
      />
    </Group>
  );
}

function SaveViewModal({
  opened,
  onClose,
  type,
  state,
  onSaved,
}: {
  opened: boolean;
  onClose: () => void;
  type: RecordType;
  state: TableState;
  onSaved: (view: SavedView) => void;
}) {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const view = await unwrapAs<SavedView>(
        api.POST("/api/v1/views", {
          body: { object_type: type, name: name.trim(), shared, filter: state.filter ?? {}, sort: state.sort, columns: state.columns, position: 0 },
        }),
      );
      await client.invalidateQueries({ queryKey: keys.views(type) });
      setName("");
      setShared(false);
      onSaved(view);
    } catch (error) {
      const found = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(found);
      const other = Object.entries(found).filter(([field]) => field !== "name");
      if (!found.name || other.length) {
        setFormError(other.length ? other.map(([field, message]) => `${field}: ${message}`).join("; ") : messageOf(error));
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Save view">
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
          <TextInput
            label="Name"
            data-autofocus
            value={name}
            onChange={(event) => {
              setName(event.currentTarget.value);
              setErrors(({ name: _dropped, ...rest }) => rest);
            }}
            error={errors.name ? `The name ${errors.name}` : undefined}
          />
          <Checkbox
            label="Share with the workspace"
            checked={shared}
            onChange={(event) => setShared(event.currentTarget.checked)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Save view
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
