// Saved views: pick one (yours and the shared ones), save the table as a new view, save changes to the
// current one, rename it, share it with the workspace or make it private again, or delete it. Only views
// the member may change offer those (their own; shared ones for owners and admins). The API checks a view
// like the list request it makes; its field errors show in the dialog.
import { ActionIcon, Alert, Badge, Button, Checkbox, Group, Menu, Modal, Select, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconDeviceFloppy, IconDots, IconLock, IconPencil, IconTrash, IconUsers } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError, messageOf, unwrap, unwrapAs } from "../api/client";
import { keys } from "../api/keys";
import type { RecordType } from "../api/records";
import { useSession } from "../auth/session";
import { mayChangeView, type SavedView, type TableState } from "./viewState";

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
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const me = session.data?.user_id;
  const mine = views.filter((view) => view.user_id === me);
  const shared = views.filter((view) => view.user_id !== me);
  const editable = current !== undefined && mayChangeView(current, session.data);
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
      setDeleting(false);
      onChoose(null);
      await client.invalidateQueries({ queryKey: keys.views(type) });
      notifications.show({ message: `Deleted the view “${current.name}”.` });
    } catch (error) {
      notifications.show({ color: "red", title: "The view was not deleted", message: messageOf(error) });
    }
  };
  const reshare = async () => {
    if (!current) return;
    try {
      await unwrap(
        api.PATCH("/api/v1/views/{view_id}", { params: { path: { view_id: current.id } }, body: { shared: !current.shared } }),
      );
      await client.invalidateQueries({ queryKey: keys.views(type) });
      notifications.show({
        color: "teal",
        message: current.shared ? `“${current.name}” is private now.` : `“${current.name}” is shared with the workspace.`,
      });
    } catch (error) {
      notifications.show({ color: "red", title: "The view was not changed", message: messageOf(error) });
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
      {current?.shared && (
        <Badge variant="light" color="gray" leftSection={<IconUsers size={12} />} aria-label="This view is shared with the workspace">
          Shared
        </Badge>
      )}
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
            <>
              <Menu.Divider />
              <Menu.Item leftSection={<IconPencil size={16} />} onClick={() => setRenaming(true)}>
                Rename “{current.name}”…
              </Menu.Item>
              <Menu.Item
                leftSection={current.shared ? <IconLock size={16} /> : <IconUsers size={16} />}
                onClick={() => void reshare()}
              >
                {current.shared ? "Make private" : "Share with the workspace"}
              </Menu.Item>
              <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(true)}>
                Delete “{current.name}”…
              </Menu.Item>
            </>
          )}
        </Menu.Dropdown>
      </Menu>
      {current && editable && (
        // Mounted afresh for each opening: the name starts as the view's.
        <RenameViewModal key={`${current.id}-${renaming}`} opened={renaming} onClose={() => setRenaming(false)} type={type} view={current} />
      )}
      <Modal opened={deleting} onClose={() => setDeleting(false)} title={`Delete the view “${current?.name ?? ""}”?`}>
        <Stack>
          <Text size="sm">
            {current?.shared ? "It is shared: it goes for everyone in the workspace." : "Only the view goes; no records change."}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(false)}>
              Cancel
            </Button>
            <Button color="red" onClick={() => void remove()}>
              Delete view
            </Button>
          </Group>
        </Stack>
      </Modal>
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

function RenameViewModal({ opened, onClose, type, view }: { opened: boolean; onClose: () => void; type: RecordType; view: SavedView }) {
  const client = useQueryClient();
  const [name, setName] = useState(view.name);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      await unwrap(api.PATCH("/api/v1/views/{view_id}", { params: { path: { view_id: view.id } }, body: { name: name.trim() } }));
      await client.invalidateQueries({ queryKey: keys.views(type) });
      notifications.show({ color: "teal", message: `Renamed the view “${name.trim()}”.` });
      onClose();
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
    <Modal opened={opened} onClose={onClose} title="Rename view">
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
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Rename
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
