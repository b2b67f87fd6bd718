// Single sign-on (owners and admins): identity providers (OpenID Connect by its issuer, SAML 2.0 by its
// metadata) and the email domains the workspace proves it controls with a DNS TXT record, then may enforce.
import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Paper, SegmentedControl, Select, Skeleton, Stack, Switch, Table, Text, Textarea, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, messageOf, unwrap, type Schemas } from "../api/client";
import { formatDate } from "../crm/format";
import { formErrors, NO_ERRORS, said, type FormErrors } from "./errors";
import { listOf } from "./settingsLogic";

const PROVIDERS = ["sso", "providers"] as const;
const DOMAINS = ["sso", "domains"] as const;
type Provider = Schemas["SsoProviderOut"];
type Role = Schemas["Role"];

const ROLE_OPTIONS: { value: Role; label: string }[] = [
  { value: "member", label: "Member" },
  { value: "manager", label: "Manager" },
  { value: "read-only", label: "Read-only" },
  { value: "admin", label: "Admin" },
];

export function SsoSettings() {
  return (
    <Stack gap="md">
      <Providers />
      <Domains />
    </Stack>
  );
}

function Providers() {
  const providers = useQuery({ queryKey: PROVIDERS, queryFn: () => unwrap(api.GET("/api/v1/sso/providers")) });
  const client = useQueryClient();
  const [deleting, setDeleting] = useState<Provider | null>(null);
  const remove = async (provider: Provider) => {
    try {
      await unwrap(api.DELETE("/api/v1/sso/providers/{provider_id}", { params: { path: { provider_id: provider.id } } }));
      await client.invalidateQueries({ queryKey: PROVIDERS });
      notifications.show({ message: `The provider “${provider.name}” was removed.` });
    } catch (error) {
      notifications.show({ color: "red", title: "Not removed", message: messageOf(error) });
    } finally {
      setDeleting(null);
    }
  };
  return (
    <>
      <NewProviderForm />
      <Paper withBorder p="lg" radius="md">
        <Title order={2} size="h5" mb="sm">
          Identity providers
        </Title>
        {providers.isPending && <Skeleton height={60} />}
        {providers.isError && <Text c="red">{messageOf(providers.error)}</Text>}
        {providers.data?.length === 0 && (
          <Text size="sm" c="dimmed">
            No identity providers yet: members sign in with their passwords.
          </Text>
        )}
        {!!providers.data?.length && (
          <Table.ScrollContainer minWidth={680}>
            <Table verticalSpacing="xs" aria-label="Identity providers">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Issuer</Table.Th>
                  <Table.Th>Domains</Table.Th>
                  <Table.Th>New members are</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {providers.data.map((provider) => (
                  <Table.Tr key={provider.id} data-provider={provider.name}>
                    <Table.Td>
                      <Group gap={6}>
                        <Text size="sm">{provider.name}</Text>
                        <Badge variant="light">{provider.kind === "saml" ? "SAML" : "OIDC"}</Badge>
                      </Group>
                      <Text size="xs" c="dimmed">
                        added {formatDate(String(provider.created_at))}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" style={{ wordBreak: "break-all" }}>
                        {provider.issuer}
                      </Text>
                    </Table.Td>
                    <Table.Td>{provider.allowed_domains.join(", ") || "any"}</Table.Td>
                    <Table.Td>{provider.default_role}</Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(provider)}>
                        Remove
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={`Remove ${deleting?.name ?? ""}?`}>
        <Text size="sm" mb="md">
          Its “Sign in with” button leaves the sign-in page.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setDeleting(null)}>
            Keep it
          </Button>
          <Button color="red" onClick={() => deleting && void remove(deleting)}>
            Remove provider
          </Button>
        </Group>
      </Modal>
    </>
  );
}

interface SamlAdded {
  entity_id: string;
  acs_url: string;
  metadata_url: string;
}

function NewProviderForm() {
  const client = useQueryClient();
  const [kind, setKind] = useState<"oidc" | "saml">("oidc");
  const [name, setName] = useState("");
  const [issuer, setIssuer] = useState("");
  const [clientId, setClientId] = useState("");
  const [clientSecret, setClientSecret] = useState("");
  const [metadata, setMetadata] = useState("");
  const [domains, setDomains] = useState("");
  const [role, setRole] = useState<Role>("member");
  const [samlAdded, setSamlAdded] = useState<SamlAdded | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    setSamlAdded(null);
    const common = { name: name.trim(), allowed_domains: listOf(domains), default_role: role };
    try {
      if (kind === "oidc") {
        await unwrap(api.POST("/api/v1/sso/providers", {
          body: { ...common, issuer: issuer.trim(), client_id: clientId.trim(), client_secret: clientSecret },
        }));
      } else {
        const added = (await unwrap(api.POST("/api/v1/sso/providers/saml", { body: { ...common, metadata_xml: metadata } }))) as unknown as SamlAdded;
        setSamlAdded(added);
      }
      notifications.show({ message: `Added the provider “${common.name}”.` });
      setName("");
      setIssuer("");
      setClientId("");
      setClientSecret("");
      setMetadata("");
      setDomains("");
      await client.invalidateQueries({ queryKey: PROVIDERS });
    } catch (error) {
      setErrors(formErrors(error, ["name", "issuer", "client_id", "client_secret", "metadata_xml", "allowed_domains", "default_role"]));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h5">
            Add an identity provider
          </Title>
          <SegmentedControl aria-label="Provider kind" size="xs" value={kind} onChange={(value) => setKind(value as "oidc" | "saml")}
            data={[{ value: "oidc", label: "OpenID Connect" }, { value: "saml", label: "SAML 2.0" }]} />
        </Group>
        {samlAdded && (
          <Alert color="teal" title="Give these to the identity provider" data-testid="saml-sp">
            <Text size="sm">
              Entity ID: <Code>{samlAdded.entity_id}</Code>
            </Text>
            <Text size="sm">
              ACS URL: <Code>{samlAdded.acs_url}</Code>
            </Text>
            <Text size="sm">
              Metadata: <Code>{samlAdded.metadata_url}</Code>
            </Text>
          </Alert>
        )}
        {errors.form && (
          <Alert color="red" role="alert">
            {errors.form}
          </Alert>
        )}
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <Stack gap="sm">
            <Group align="flex-start" wrap="wrap">
              <TextInput label="Name" placeholder="Okta" w={200} value={name} onChange={(event) => setName(event.currentTarget.value)}
                error={said("The name", errors.fields.name)} />
              {kind === "oidc" && (
                <>
                  <TextInput label="Issuer" placeholder="https://login.example.com" w={280} value={issuer}
                    onChange={(event) => setIssuer(event.currentTarget.value)} error={said("The issuer", errors.fields.issuer)} />
                  <TextInput label="Client ID" w={200} value={clientId} onChange={(event) => setClientId(event.currentTarget.value)}
                    error={said("The client ID", errors.fields.client_id)} />
                  <TextInput label="Client secret" type="password" autoComplete="off" w={200} value={clientSecret}
                    onChange={(event) => setClientSecret(event.currentTarget.value)} error={said("The client secret", errors.fields.client_secret)} />
                </>
              )}
            </Group>
            {kind === "saml" && (
              <Textarea label="Identity provider metadata (XML)" autosize minRows={3} maxRows={8} value={metadata}
                onChange={(event) => setMetadata(event.currentTarget.value)} error={said("The metadata", errors.fields.metadata_xml)} />
            )}
            <Group align="flex-start" wrap="wrap">
              <TextInput label="Allowed email domains" placeholder="example.com, example.org" description="Empty: any" w={280} value={domains}
                onChange={(event) => setDomains(event.currentTarget.value)} error={said("The domains", errors.fields.allowed_domains)} />
              <Select label="New members are" w={180} data={ROLE_OPTIONS} value={role} allowDeselect={false}
                onChange={(value) => value && setRole(value as Role)} error={said("The role", errors.fields.default_role)} />
              <Button type="submit" mt={44} loading={busy}>
                Add provider
              </Button>
            </Group>
          </Stack>
        </form>
      </Stack>
    </Paper>
  );
}

function Domains() {
  const domains = useQuery({ queryKey: DOMAINS, queryFn: () => unwrap(api.GET("/api/v1/sso/domains")) });
  const client = useQueryClient();
  const [domain, setDomain] = useState("");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState<string | null>(null);
  const claim = async () => {
    setBusy("claim");
    setErrors(NO_ERRORS);
    try {
      await unwrap(api.POST("/api/v1/sso/domains", { body: { domain: domain.trim() } }));
      setDomain("");
      await client.invalidateQueries({ queryKey: DOMAINS });
    } catch (error) {
      setErrors(formErrors(error, ["domain"]));
    } finally {
      setBusy(null);
    }
  };
  const act = async (id: string, work: () => Promise<unknown>, failed: string, done?: string) => {
    setBusy(id);
    try {
      await work();
      if (done) notifications.show({ message: done });
    } catch (error) {
      notifications.show({ color: "red", title: failed, message: messageOf(error) });
    } finally {
      setBusy(null);
      await client.invalidateQueries({ queryKey: DOMAINS });
    }
  };
  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap="sm">
        <Title order={2} size="h5">
          Email domains
        </Title>
        <Text size="sm" c="dimmed">
          Publish the TXT record in the domain's DNS, then verify. A verified domain may enforce single sign-on: its people then
          cannot sign in with a password.
        </Text>
        {errors.form && (
          <Alert color="red" role="alert">
            {errors.form}
          </Alert>
        )}
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void claim();
          }}
        >
          <Group align="flex-start">
            <TextInput label="Domain" placeholder="example.com" w={260} value={domain} onChange={(event) => setDomain(event.currentTarget.value)}
              error={said("The domain", errors.fields.domain)} />
            <Button type="submit" mt={25} loading={busy === "claim"}>
              Claim domain
            </Button>
          </Group>
        </form>
        {domains.isPending && <Skeleton height={60} />}
        {domains.isError && <Text c="red">{messageOf(domains.error)}</Text>}
        {domains.data?.length === 0 && (
          <Text size="sm" c="dimmed">
            No domains claimed yet.
          </Text>
        )}
        {!!domains.data?.length && (
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="xs" aria-label="Email domains">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Domain</Table.Th>
                  <Table.Th>TXT record</Table.Th>
                  <Table.Th>Enforce SSO</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {domains.data.map((item) => (
                  <Table.Tr key={item.id} data-domain={item.domain}>
                    <Table.Td>
                      <Group gap={6}>
                        <Text size="sm">{item.domain}</Text>
                        {item.verified ? <Badge color="teal" variant="light">verified</Badge> : <Badge color="gray" variant="light">not verified</Badge>}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" c="dimmed">
                        Name
                      </Text>
                      <Code>{item.txt_name}</Code>
                      <Text size="xs" c="dimmed" mt={4}>
                        Value
                      </Text>
                      <Group gap={4} wrap="nowrap">
                        <Code style={{ wordBreak: "break-all" }}>{item.txt_value}</Code>
                        <CopyButton value={item.txt_value}>
                          {({ copied, copy }) => (
                            <Button size="compact-xs" variant="subtle" onClick={copy}>
                              {copied ? "Copied" : "Copy"}
                            </Button>
                          )}
                        </CopyButton>
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Switch aria-label={`Enforce single sign-on for ${item.domain}`} checked={item.enforce} disabled={!item.verified || busy === item.id}
                        onChange={(event) => {
                          const enforce = event.currentTarget.checked;
                          void act(item.id, () => unwrap(api.PATCH("/api/v1/sso/domains/{domain_id}", { params: { path: { domain_id: item.id } }, body: { enforce } })), "Not changed");
                        }} />
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap" justify="flex-end">
                        {!item.verified && (
                          <Button size="xs" variant="light" loading={busy === item.id}
                            onClick={() => void act(item.id, () => unwrap(api.POST("/api/v1/sso/domains/{domain_id}/verify", { params: { path: { domain_id: item.id } } })), "Not verified", `${item.domain} is verified.`)}>
                            Verify
                          </Button>
                        )}
                        <Button size="xs" variant="subtle" color="red" disabled={busy === item.id}
                          onClick={() => void act(item.id, () => unwrap(api.DELETE("/api/v1/sso/domains/{domain_id}", { params: { path: { domain_id: item.id } } })), "Not removed")}>
                          Remove
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
