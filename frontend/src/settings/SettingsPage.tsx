// Workspace settings for owners and admins: custom fields, pipelines and stages, members and invitations,
// roles and permissions, teams, single sign-on, API keys, webhooks, the audit log. Others are told so (the API refuses them too); the navigation does not offer it to them, and
// their own API keys are under the account menu.
import { Alert, Skeleton, Stack, Tabs, Title } from "@mantine/core";
import { useNavigate, useParams } from "react-router";
import { usePermissions } from "../tables/tableData";
import { ApiKeysSettings } from "./ApiKeysSettings";
import { AuditLogSettings } from "./AuditLogSettings";
import { CustomFieldsSettings } from "./CustomFieldsSettings";
import { MembersSettings } from "./MembersSettings";
import { PipelinesSettings } from "./PipelinesSettings";
import { RolesSettings } from "./RolesSettings";
import { SsoSettings } from "./SsoSettings";
import { TeamsSettings } from "./TeamsSettings";
import { WebhooksSettings } from "./WebhooksSettings";

const SECTIONS = [
  { value: "fields", label: "Custom fields" },
  { value: "pipelines", label: "Pipelines" },
  { value: "members", label: "Members" },
  { value: "roles", label: "Roles" },
  { value: "teams", label: "Teams" },
  { value: "sso", label: "Single sign-on" },
  { value: "api-keys", label: "API keys" },
  { value: "webhooks", label: "Webhooks" },
  { value: "audit", label: "Audit log" },
];

export function SettingsPage() {
  const permissions = usePermissions();
  const section = useParams().section ?? "fields";
  const navigate = useNavigate();
  if (permissions.isPending) {
    return <Skeleton height={300} />;
  }
  if (!permissions.data?.admin) {
    return (
      <Alert color="yellow" title="Settings" role="alert">
        Workspace settings are for the workspace's owners and admins.
      </Alert>
    );
  }
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Settings
      </Title>
      <Tabs value={section} onChange={(value) => navigate(`/settings/${value ?? "fields"}`)} keepMounted={false}>
        <Tabs.List mb="md">
          {SECTIONS.map((item) => (
            <Tabs.Tab key={item.value} value={item.value}>
              {item.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="fields">
          <CustomFieldsSettings />
        </Tabs.Panel>
        <Tabs.Panel value="pipelines">
          <PipelinesSettings />
        </Tabs.Panel>
        <Tabs.Panel value="members">
          <MembersSettings />
        </Tabs.Panel>
        <Tabs.Panel value="roles">
          <RolesSettings />
        </Tabs.Panel>
        <Tabs.Panel value="teams">
          <TeamsSettings />
        </Tabs.Panel>
        <Tabs.Panel value="sso">
          <SsoSettings />
        </Tabs.Panel>
        <Tabs.Panel value="api-keys">
          <ApiKeysSettings />
        </Tabs.Panel>
        <Tabs.Panel value="webhooks">
          <WebhooksSettings />
        </Tabs.Panel>
        <Tabs.Panel value="audit">
          <AuditLogSettings />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

/** Every member's own API keys (owners and admins see the workspace's in Settings too). */
export function AccountApiKeysPage() {
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Your API keys
      </Title>
      <ApiKeysSettings />
    </Stack>
  );
}
