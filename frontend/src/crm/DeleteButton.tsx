// Delete a record from its page (after a confirmation), then offer Undo (restore) for a while.
import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { messageOf } from "../api/client";
import { keys } from "../api/keys";
import { COLLECTION, deleteRecord, restoreRecord, type RecordType } from "../api/records";

export function DeleteButton({ type, id, title }: { type: RecordType; id: number; title: string }) {
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const client = useQueryClient();
  const navigate = useNavigate();
  const remove = async () => {
    setDeleting(true);
    try {
      await deleteRecord(type, id);
      await client.invalidateQueries({ queryKey: keys.records(type) });
      navigate(`/${COLLECTION[type]}`);
      const notice = notifications.show({
        title: `${title} was deleted`,
        message: (
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => {
              notifications.hide(notice);
              void restoreRecord(type, id)
                .then(() => client.invalidateQueries({ queryKey: keys.records(type) }))
                .then(() => navigate(`/${COLLECTION[type]}/${id}`))
                .catch((error: unknown) => notifications.show({ color: "red", message: messageOf(error) }));
            }}
          >
            Undo
          </Button>
        ),
      });
    } catch (error) {
      notifications.show({ color: "red", title: "Not deleted", message: messageOf(error) });
    } finally {
      setDeleting(false);
      setConfirming(false);
    }
  };
  return (
    <>
      <Button variant="subtle" color="red" leftSection={<IconTrash size={16} />} onClick={() => setConfirming(true)}>
        Delete
      </Button>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={`Delete ${title}?`}>
        <Stack>
          <Text size="sm">It can be restored afterwards.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button color="red" loading={deleting} onClick={() => void remove()}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
