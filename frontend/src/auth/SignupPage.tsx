import { Alert, Button, Divider, Group, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { api, unwrap } from "../api/client";
import { slugFrom, workspaceAddress } from "../workspace";
import { AuthLayout } from "./AuthLayout";
import { useApiForm } from "./useForm";

/** The bare domain: create a workspace, or go to yours. `notFound` names a host with no workspace. */
export function SignupPage({ notFound }: { notFound: string | null }) {
  const form = useApiForm(
    { organization_name: "", slug: "", admin_email: "", password: "" },
    { organization_name: "The name", slug: "The address", admin_email: "This email", password: "The password" },
  );
  const [slugEdited, setSlugEdited] = useState(false);
  const host = notFound ? location.hostname.split(".").slice(1).join(".") : location.hostname;
  const organization = form.field("organization_name");
  const slug = form.field("slug");

  return (
    <AuthLayout title="Create your workspace">
      {notFound && (
        <Alert color="yellow" role="status">
          There is no workspace at {notFound}.
        </Alert>
      )}
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void form.submit(async (values) => {
            const created = await unwrap(api.POST("/api/v1/signup", { body: values }));
            const address = workspaceAddress(created.url, created.tenant.slug, Boolean(notFound));
            const query = new URLSearchParams({ email: created.admin.email, welcome: "1" });
            window.location.assign(`${address}sign-in?${query.toString()}`);
          });
        }}
      >
        <Stack gap="sm">
          {form.formError && (
            <Alert color="red" role="alert">
              {form.formError}
            </Alert>
          )}
          <TextInput
            label="Organization name"
            required
            autoFocus
            {...organization}
            onChange={(event) => {
              const name = event.currentTarget.value;
              organization.onChange(event);
              if (!slugEdited) {
                form.setValues((current) => ({ ...current, slug: slugFrom(name) }));
              }
            }}
          />
          <TextInput
            label="Workspace address"
            description={`Your workspace will be at ${form.values.slug || "your-name"}.${host}`}
            required
            rightSection={<Text size="xs" c="dimmed">.{host}</Text>}
            rightSectionWidth={Math.min(200, 14 + host.length * 7)}
            {...slug}
            onChange={(event) => {
              setSlugEdited(true);
              slug.onChange(event);
            }}
          />
          <TextInput label="Your email" type="email" autoComplete="username" required {...form.field("admin_email")} />
          <PasswordInput
            label="Password"
            description="At least 10 characters; a phrase is easiest to remember."
            autoComplete="new-password"
            required
            {...form.field("password")}
          />
          <Button type="submit" loading={form.submitting} fullWidth>
            Create workspace
          </Button>
        </Stack>
      </form>
      <Divider label="or" labelPosition="center" />
      <GoToWorkspace host={host} />
    </AuthLayout>
  );
}

function GoToWorkspace({ host }: { host: string }) {
  const [slug, setSlug] = useState("");
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const port = location.port ? `:${location.port}` : "";
        window.location.assign(`${location.protocol}//${slugFrom(slug)}.${host}${port}/sign-in`);
      }}
    >
      <Group align="flex-end" gap="xs" wrap="nowrap">
        <TextInput
          label="Sign in to your workspace"
          placeholder="your-workspace"
          value={slug}
          onChange={(event) => setSlug(event.currentTarget.value)}
          style={{ flex: 1 }}
        />
        <Button type="submit" variant="default" disabled={!slugFrom(slug)}>
          Go
        </Button>
      </Group>
    </form>
  );
}
