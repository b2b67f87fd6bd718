import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../api/client";
import { AuthLayout } from "./AuthLayout";
import { useApiForm } from "./useForm";

export function ForgotPasswordPage({ workspaceName }: { workspaceName: string }) {
  const form = useApiForm({ email: "" });
  const [sent, setSent] = useState<string | null>(null);
  return (
    <AuthLayout title="Reset your password" workspaceName={workspaceName}>
      {sent ? (
        <Alert color="teal" role="status">
          {sent}
        </Alert>
      ) : (
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void form.submit(async (values) => {
              const answer = await unwrap(api.POST("/api/v1/auth/password-reset", { body: values }));
              setSent(answer.detail ?? "Check your inbox.");
            });
          }}
        >
          <Stack gap="sm">
            <Text size="sm">We will email you a link to choose a new password.</Text>
            {form.formError && (
              <Alert color="red" role="alert">
                {form.formError}
              </Alert>
            )}
            <TextInput label="Email" type="email" autoComplete="username" required autoFocus {...form.field("email")} />
            <Button type="submit" loading={form.submitting} fullWidth>
              Email me a link
            </Button>
          </Stack>
        </form>
      )}
      <Anchor component={Link} to="/sign-in" size="sm">
        Back to sign in
      </Anchor>
    </AuthLayout>
  );
}

export function ResetPasswordPage({ workspaceName }: { workspaceName: string }) {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const form = useApiForm({ password: "" }, { password: "The password" });
  const [done, setDone] = useState(false);
  return (
    <AuthLayout title="Choose a new password" workspaceName={workspaceName}>
      {done ? (
        <Alert color="teal" role="status">
          Your password is changed, and every session was signed out. Sign in with the new password.
        </Alert>
      ) : (
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void form.submit(async (values) => {
              await unwrap(api.POST("/api/v1/auth/password-reset/confirm", { body: { token, ...values } }));
              setDone(true);
            });
          }}
        >
          <Stack gap="sm">
            {!token && <Alert color="red">This link has no token; open the link from the email again.</Alert>}
            {(form.formError || form.fieldErrors.token) && (
              <Alert color="red" role="alert">
                {form.fieldErrors.token ? "This link has expired or was used already; ask for a new one." : form.formError}
              </Alert>
            )}
            <PasswordInput label="New password" autoComplete="new-password" required autoFocus {...form.field("password")} />
            <Button type="submit" loading={form.submitting} disabled={!token} fullWidth>
              Set the password
            </Button>
          </Stack>
        </form>
      )}
      <Anchor component={Link} to="/sign-in" size="sm">
        Go to sign in
      </Anchor>
    </AuthLayout>
  );
}
