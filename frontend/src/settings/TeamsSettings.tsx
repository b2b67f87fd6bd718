// Teams (owners and admins): a team's members share records with a manager's "team's rows" scope. Create a
// team with members, rename it or change its members, delete it (its members stay in the workspace).
import { Alert, Badge, Button, Group, Modal, MultiSelect, Paper, Skeleton, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, messageOf, unwrap, type Schemas } from "../api/client";
import { keys } from "../api/keys";
import { useMemberEmails, useMembers } from "../api/workspaceData";
import { formErrors, NO_ERRORS, said, withoutField, type FormErrors } from "./errors";

const TEAMS = ["teams"] as const;
type Team = Schemas["TeamOut"];

export function TeamsSettings() {
  const teams = useQuery({ queryKey: TEAMS, queryFn: () => unwrap(api.GET("/api/v1/teams")) });
  const emails = useMemberEmails();
  const client = useQueryClient();
  const [editing, setEditing] = useState<Team | "new" | null>(null);
  const [deleting, setDeleting] = useState<Team | null>(null);
  const remove = async (team: Team) => {
    try {
      await unwrap(api.DELETE("/api/v1/teams/{team_id}", { params: { path: { team_id: team.id } } }));
      await client.invalidateQueries({ queryKey: TEAMS });
      await client.invalidateQueries({ queryKey: keys.members });
      notifications.show({ message: `The team “${team.name}” was deleted.` });
    } catch (error) {
      notifications.show({ color: "red", title: "Not deleted", message: messageOf(error) });
    } finally {
      setDeleting(null);
    }
  };
  return (
    <Paper withBorder p="lg" radius="md">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5">
          Teams
        </Title>
        <Button size="xs" onClick={() => setEditing("new")}>
          New team
        </Button>
      </Group>
      {teams.isPending && <Skeleton height={80} />}
      {teams.isError && <Text c="red">{messageOf(teams.error)}</Text>}
      {teams.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No teams yet. Members of a team see each other's records when their role's rows are “Team's”.
        </Text>
      )}
      {!!teams.data?.length && (
        <Table verticalSpacing="xs" aria-label="Teams">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Team</Table.Th>
              <Table.Th>Members</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {teams.data.map((team) => (
              <Table.Tr key={team.id} data-team={team.name}>
                <Table.Td>{team.name}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {team.members.length === 0 && (
                      <Text size="xs" c="dimmed">
                        nobody yet
                      </Text>
                    )}
                    {team.members.map((id) => (
                      <Badge key={id} variant="light" tt="none">
                        {emails.get(id) ?? id}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap" justify="flex-end">
                    <Button size="xs" variant="subtle" onClick={() => setEditing(team)}>
                      Edit
                    </Button>
                    <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(team)}>
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {editing && <TeamModal team={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={`Delete the team ${deleting?.name ?? ""}?`}>
        <Text size="sm" mb="md">
          Its members stay in the workspace.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setDeleting(null)}>
            Keep it
          </Button>
          <Button color="red" onClick={() => deleting && void remove(deleting)}>
            Delete team
          </Button>
        </Group>
      </Modal>
    </Paper>
  );
}

function TeamModal({ team, onClose }: { team: Team | null; onClose: () => void }) {
  const client = useQueryClient();
  const members = useMembers();
  const [name, setName] = useState(team?.name ?? "");
  const [chosen, setChosen] = useState<string[]>(team?.members ?? []);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const options = (members.data?.items ?? []).map((member) => ({ value: member.user_id, label: member.email }));
  const submit = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const body = { name: name.trim(), members: chosen };
      if (team) {
        await unwrap(api.PATCH("/api/v1/teams/{team_id}", { params: { path: { team_id: team.id } }, body }));
      } else {
        await unwrap(api.POST("/api/v1/teams", { body }));
      }
      await client.invalidateQueries({ queryKey: TEAMS });
      await client.invalidateQueries({ queryKey: keys.members });
      notifications.show({ message: `Saved the team “${body.name}”.` });
      onClose();
    } catch (error) {
      setErrors(formErrors(error, ["name", "members"]));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened onClose={onClose} title={team ? `Edit the team ${team.name}` : "New team"}>
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
          <TextInput label="Name" value={name} error={said("The name", errors.fields.name)} onChange={(event) => {
            setName(event.currentTarget.value);
            setErrors(withoutField(errors, "name"));
          }} />
          <MultiSelect label="Members" placeholder={members.isPending ? "Loading…" : "Pick members"} data={options} value={chosen} searchable
            onChange={setChosen} error={said("The members", errors.fields.members)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {team ? "Save team" : "Create team"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
