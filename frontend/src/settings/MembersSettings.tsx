// Members and invitations: invite by email with a role, change a member's role, deactivate or reactivate
// them, revoke a pending invitation.
import { Alert, Badge, Button, Group, Paper, Select, Skeleton, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, messageOf, unwrap } from "../api/client";
import { keys } from "../api/keys";
import { useMembers } from "../api/workspaceData";
import { useSession } from "../auth/session";
import { formatDate } from "../crm/format";
import { formErrors, NO_ERRORS, type FormErrors } from "./errors";

function useRoles() {
  return useQuery({ queryKey: ["roles"], queryFn: () => unwrap(api.GET("/api/v1/roles")), staleTime: 60_000 });
}

function useInvitations() {
  return useQuery({ queryKey: ["invitations"], queryFn: () => unwrap(api.GET("/api/v1/invitations")) });
}

export function MembersSettings() {
  const members = useMembers();
  const roles = useRoles();
  const invitations = useInvitations();
  const session = useSession();
  const client = useQueryClient();
  const roleOptions = (roles.data ?? []).map((role) => ({ value: role.key, label: role.name }));

  const change = async (userId: string, body: { role?: string; active?: boolean }, what: string) => {
    try {
      await unwrap(api.PATCH("/api/v1/members/{user_id}", { params: { path: { user_id: userId } }, body }));
      await client.invalidateQueries({ queryKey: keys.members });
      notifications.show({ color: "teal", message: what });
    } catch (error) {
      notifications.show({ color: "red", title: "Not changed", message: messageOf(error) });
    }
  };
  const revoke = async (id: string, email: string) => {
    try {
      await unwrap(api.DELETE("/api/v1/invitations/{invitation_id}", { params: { path: { invitation_id: id } } }));
      await client.invalidateQueries({ queryKey: ["invitations"] });
      notifications.show({ message: `The invitation to ${email} was revoked.` });
    } catch (error) {
      notifications.show({ color: "red", title: "Not revoked", message: messageOf(error) });
    }
  };

  return (
    <Stack gap="md">
      <InviteForm roles={roleOptions} />
      <Paper withBorder p="lg" radius="md">
        <Title order={2} size="h5" mb="sm">
          Members
        </Title>
        {members.isPending && <Skeleton height={120} />}
        {members.isError && <Text c="red">{messageOf(members.error)}</Text>}
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs" aria-label="Members">
            <Table.Tbody>
              {(members.data?.items ?? []).map((member) => {
                const me = member.user_id === session.data?.user_id;
                return (
                  <Table.Tr key={member.user_id} data-member={member.email}>
                    <Table.Td>
                      <Text size="sm">{member.email}</Text>
                      <Text size="xs" c="dimmed">
                        since {formatDate(member.created_at)}
                      </Text>
                    </Table.Td>
                    <Table.Td w={200}>
                      <Select
                        aria-label={`Role of ${member.email}`}
                        size="xs"
                        data={roleOptions.length ? roleOptions : [{ value: member.role, label: member.role }]}
                        value={member.role}
                        allowDeselect={false}
                        disabled={me}
                        onChange={(role) => role && role !== member.role && void change(member.user_id, { role }, `${member.email} is now ${role}.`)}
                      />
                    </Table.Td>
                    <Table.Td w={160}>
                      {member.active ? (
                        <Button size="xs" variant="subtle" color="red" disabled={me}
                          onClick={() => void change(member.user_id, { active: false }, `${member.email} was deactivated.`)}>
                          Deactivate
                        </Button>
                      ) : (
                        <Group gap={4}>
                          <Badge color="gray" size="sm">inactive</Badge>
                          <Button size="xs" variant="subtle"
                            onClick={() => void change(member.user_id, { active: true }, `${member.email} was reactivated.`)}>
                            Reactivate
                          </Button>
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <Paper withBorder p="lg" radius="md">
        <Title order={2} size="h5" mb="sm">
          Pending invitations
        </Title>
        {invitations.data?.length === 0 && (
          <Text size="sm" c="dimmed">
            None.
          </Text>
        )}
        <Stack gap="xs">
          {(invitations.data ?? []).map((invitation) => (
            <Group key={invitation.id} justify="space-between" wrap="nowrap" data-invitation={invitation.email}>
              <div>
                <Text size="sm">{invitation.email}</Text>
                <Text size="xs" c="dimmed">
                  {invitation.role} · expires {formatDate(invitation.expires_at)}
                </Text>
              </div>
              <Button size="xs" variant="subtle" color="red" onClick={() => void revoke(invitation.id, invitation.email)}>
                Revoke
              </Button>
            </Group>
          ))}
        </Stack>
      </Paper>
    </Stack>
  );
}

function InviteForm({ roles }: { roles: { value: string; label: string }[] }) {
  const client = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<string | null>("member");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      await unwrap(api.POST("/api/v1/invitations", { body: { email: email.trim(), role: role ?? "member" } }));
      await client.invalidateQueries({ queryKey: ["invitations"] });
      notifications.show({ color: "teal", message: `Invited ${email.trim()}.` });
      setEmail("");
    } catch (error) {
      setErrors(formErrors(error, ["email", "role"]));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="lg" radius="md">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Stack gap="sm">
          <Title order={2} size="h5">
            Invite someone
          </Title>
          {errors.form && (
            <Alert color="red" role="alert">
              {errors.form}
            </Alert>
          )}
          <Group align="flex-start" wrap="wrap">
            <TextInput label="Email" type="email" w={280} value={email} onChange={(event) => setEmail(event.currentTarget.value)}
              error={errors.fields.email ? `The email ${errors.fields.email}` : undefined} />
            <Select label="Role" w={180} data={roles} value={role} onChange={setRole} allowDeselect={false}
              error={errors.fields.role ? `The role: ${errors.fields.role}` : undefined} />
            <Button type="submit" mt={25} loading={busy}>
              Send invitation
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
