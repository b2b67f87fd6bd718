// Roles and permissions (owners and admins): the built-in roles and the workspace's custom ones; a custom role
// is made or edited as a matrix of object types × operations, row scope and field rules, as the API takes it.
import { Alert, Badge, Button, Checkbox, Group, Modal, Paper, Select, Skeleton, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { api, messageOf, unwrap, type Schemas } from "../api/client";
import { formErrors, NO_ERRORS, said, withoutField, type FormErrors } from "./errors";
import { ANY, EMPTY, matrixOf, OPS, permissionsOf, roleKeyOf, rowErrors, ruleSummary, type FieldRule, type Matrix, type Op, type RowRule, type Scope } from "./roleMatrix";

const ROLES = ["roles"] as const;
type Role = Schemas["RoleOut"];
type ObjectType = Schemas["ObjectTypeOut"];

export function RolesSettings() {
  const roles = useQuery({ queryKey: ROLES, queryFn: () => unwrap(api.GET("/api/v1/roles")) });
  const kinds = useQuery({ queryKey: ["object-types"], queryFn: () => unwrap(api.GET("/api/v1/object-types")), staleTime: Infinity });
  const client = useQueryClient();
  const [editing, setEditing] = useState<Role | "new" | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);
  const remove = async (role: Role) => {
    try {
      await unwrap(api.DELETE("/api/v1/roles/{key}", { params: { path: { key: role.key } } }));
      await client.invalidateQueries({ queryKey: ROLES });
      notifications.show({ message: `The role “${role.name}” was deleted.` });
    } catch (error) {
      notifications.show({ color: "red", title: "Not deleted", message: messageOf(error) });
    } finally {
      setDeleting(null);
    }
  };
  const names = (kinds.data ?? []).map((kind) => kind.name);
  return (
    <Paper withBorder p="lg" radius="md">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5">
          Roles
        </Title>
        <Button size="xs" onClick={() => setEditing("new")} disabled={!kinds.data}>
          New role
        </Button>
      </Group>
      {(roles.isPending || kinds.isPending) && <Skeleton height={160} />}
      {roles.isError && <Text c="red">{messageOf(roles.error)}</Text>}
      {kinds.isError && <Text c="red">{messageOf(kinds.error)}</Text>}
      {roles.data && kinds.data && (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs" aria-label="Roles">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Role</Table.Th>
                <Table.Th>Permissions</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {roles.data.map((role) => {
                const matrix = matrixOf(role.permissions, names);
                const rows = Object.entries(matrix).filter(([kind, rule]) => kind === ANY || rule.own);
                return (
                  <Table.Tr key={role.key} data-role={role.key}>
                    <Table.Td>
                      <Group gap={6}>
                        <Text size="sm" fw={500}>
                          {role.name}
                        </Text>
                        {role.builtin ? <Badge variant="light" color="gray">built in</Badge> : <Badge variant="light">custom</Badge>}
                        {role.admin && <Badge variant="light" color="grape">administers</Badge>}
                      </Group>
                      <Text size="xs" c="dimmed">
                        {role.key}
                        {role.description ? ` · ${role.description}` : ""}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {rows.map(([kind, rule]) => (
                        <Text size="xs" key={kind}>
                          <b>{kind === ANY ? (rows.length > 1 ? "Other types" : "Every type") : kindLabel(kinds.data, kind)}</b>: {ruleSummary(rule)}
                        </Text>
                      ))}
                    </Table.Td>
                    <Table.Td>
                      {!role.builtin && (
                        <Group gap={4} wrap="nowrap" justify="flex-end">
                          <Button size="xs" variant="subtle" onClick={() => setEditing(role)}>
                            Edit
                          </Button>
                          <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(role)}>
                            Delete
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
      )}
      {editing && kinds.data && <RoleModal role={editing === "new" ? null : editing} kinds={kinds.data} onClose={() => setEditing(null)} />}
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={`Delete the role ${deleting?.name ?? ""}?`}>
        <Text size="sm" mb="md">
          Only a role nobody holds can be deleted.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setDeleting(null)}>
            Keep it
          </Button>
          <Button color="red" onClick={() => deleting && void remove(deleting)}>
            Delete role
          </Button>
        </Group>
      </Modal>
    </Paper>
  );
}

function kindLabel(kinds: ObjectType[], name: string): string {
  const label = kinds.find((kind) => kind.name === name)?.label ?? name;
  return label.slice(0, 1).toUpperCase() + label.slice(1);
}

function RoleModal({ role, kinds, onClose }: { role: Role | null; kinds: ObjectType[]; onClose: () => void }) {
  const client = useQueryClient();
  const [name, setName] = useState(role?.name ?? "");
  const [key, setKey] = useState(role?.key ?? "");
  const [keyTouched, setKeyTouched] = useState(false);
  const [description, setDescription] = useState(role?.description ?? "");
  const [matrix, setMatrix] = useState<Matrix>(() =>
    matrixOf(role?.permissions ?? { objects: { [ANY]: { ops: ["create", "read", "update"], scope: "own" } } }, kinds.map((kind) => kind.name)),
  );
  const [fieldsOf, setFieldsOf] = useState<string | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const change = (kind: string, patch: Partial<RowRule>) => setMatrix({ ...matrix, [kind]: { ...(matrix[kind] ?? EMPTY), ...patch } });
  const submit = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    const permissions = permissionsOf(matrix);
    try {
      if (role) {
        await unwrap(api.PATCH("/api/v1/roles/{key}", { params: { path: { key: role.key } }, body: { name: name.trim(), description: description.trim(), permissions } }));
      } else {
        await unwrap(api.POST("/api/v1/roles", { body: { key: key.trim(), name: name.trim(), description: description.trim(), permissions } }));
      }
      await client.invalidateQueries({ queryKey: ROLES });
      notifications.show({ message: `Saved the role “${name.trim()}”.` });
      onClose();
    } catch (error) {
      const fields = formErrors(error, []).fields;
      const known = ["key", "name", "description", ...Object.keys(fields).filter((field) => field.startsWith("permissions.objects."))];
      setErrors(formErrors(error, known));
    } finally {
      setBusy(false);
    }
  };
  const rows: { kind: string; label: string }[] = [
    { kind: ANY, label: "Every other type" },
    ...kinds.map((kind) => ({ kind: kind.name, label: kindLabel(kinds, kind.name) })),
  ];
  return (
    <Modal opened onClose={onClose} title={role ? `Edit the role ${role.name}` : "New role"} size="xl">
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
          <Group align="flex-start" wrap="wrap">
            <TextInput label="Name" w={220} value={name} error={said("The name", errors.fields.name)} onChange={(event) => {
              const value = event.currentTarget.value;
              setName(value);
              setErrors(withoutField(errors, "name"));
              if (!role && !keyTouched) setKey(roleKeyOf(value));
            }} />
            <TextInput label="Key" w={180} value={key} disabled={!!role} error={said("The key", errors.fields.key)}
              onChange={(event) => {
                setKeyTouched(true);
                setKey(event.currentTarget.value);
                setErrors(withoutField(errors, "key"));
              }} />
            <TextInput label="Description" style={{ flex: 1 }} miw={200} value={description} error={said("The description", errors.fields.description)}
              onChange={(event) => setDescription(event.currentTarget.value)} />
          </Group>
          <Text size="sm" c="dimmed">
            A type without its own rule follows “Every other type”.
          </Text>
          <Table.ScrollContainer minWidth={700}>
            <Table verticalSpacing={4} aria-label="Permissions">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Object type</Table.Th>
                  {OPS.map((op) => (
                    <Table.Th key={op} ta="center">
                      {op}
                    </Table.Th>
                  ))}
                  <Table.Th>Rows</Table.Th>
                  <Table.Th>Fields</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map(({ kind, label }) => {
                  const rule = matrix[kind] ?? EMPTY;
                  const kindInfo = kinds.find((item) => item.name === kind);
                  const messages = rowErrors(errors.fields, kind);
                  return (
                    <Fragment key={kind}>
                      <Table.Tr data-permission-row={kind}>
                        <Table.Td>
                          {kind === ANY ? (
                            <Text size="sm" fw={500}>
                              {label}
                            </Text>
                          ) : (
                            <Checkbox label={label} aria-label={`${label}: a rule of its own`} checked={rule.own}
                              onChange={(event) => change(kind, event.currentTarget.checked ? { ...(matrix[ANY] ?? EMPTY), fields: {}, own: true } : { own: false })} />
                          )}
                        </Table.Td>
                        {OPS.map((op) => (
                          <Table.Td key={op} ta="center">
                            <Checkbox aria-label={`${label}: ${op}`} disabled={!rule.own} checked={rule.own && rule.ops.includes(op)} style={{ display: "inline-block" }}
                              onChange={(event) => change(kind, { ops: toggled(rule.ops, op, event.currentTarget.checked) })} />
                          </Table.Td>
                        ))}
                        <Table.Td>
                          <Select aria-label={`${label}: rows`} size="xs" w={110} disabled={!rule.own} allowDeselect={false} value={rule.scope}
                            data={[{ value: "own", label: "Own" }, { value: "team", label: "Team's" }, { value: "all", label: "All" }]}
                            onChange={(value) => value && change(kind, { scope: value as Scope })} />
                        </Table.Td>
                        <Table.Td>
                          {kindInfo && (
                            <Button size="compact-xs" variant="subtle" disabled={!rule.own} aria-expanded={fieldsOf === kind}
                              aria-label={`${label}: field rules`} onClick={() => setFieldsOf(fieldsOf === kind ? null : kind)}>
                              {fieldRulesLabel(Object.keys(rule.fields).length)}
                            </Button>
                          )}
                        </Table.Td>
                      </Table.Tr>
                      {messages.length > 0 && (
                        <Table.Tr>
                          <Table.Td colSpan={OPS.length + 3}>
                            <Text size="xs" c="red">
                              {label}: {messages.join("; ")}
                            </Text>
                          </Table.Td>
                        </Table.Tr>
                      )}
                      {kindInfo && fieldsOf === kind && rule.own && (
                        <Table.Tr>
                          <Table.Td colSpan={OPS.length + 3} bg="var(--mantine-color-gray-0)">
                            <Group gap="sm" wrap="wrap">
                              {kindInfo.fields.map((field) => (
                                <Select key={field.name} size="xs" w={170} label={field.label} aria-label={`${label} ${field.label}`} allowDeselect={false}
                                  value={rule.fields[field.name] ?? "visible"}
                                  data={[{ value: "visible", label: "Visible" }, { value: "read_only", label: "Read-only" }, { value: "hidden", label: "Hidden" }]}
                                  onChange={(value) => change(kind, { fields: withFieldRule(rule.fields, field.name, value) })} />
                              ))}
                            </Group>
                          </Table.Td>
                        </Table.Tr>
                      )}
                    </Fragment>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {role ? "Save role" : "Create role"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function toggled(ops: Op[], op: Op, on: boolean): Op[] {
  return on ? [...ops.filter((item) => item !== op), op] : ops.filter((item) => item !== op);
}

function withFieldRule(fields: Record<string, FieldRule>, name: string, value: string | null): Record<string, FieldRule> {
  const { [name]: _old, ...rest } = fields;
  return value === "hidden" || value === "read_only" ? { ...rest, [name]: value } : rest;
}

function fieldRulesLabel(count: number): string {
  return count === 0 ? "all visible" : count === 1 ? "1 rule" : `${count} rules`;
}
