import { Alert, Anchor, Button, PasswordInput, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../api/client";
import { AuthLayout } from "./AuthLayout";
import { useApiForm } from "./useForm";

export function AcceptInvitationPage({ workspaceName }: { workspaceName: string }) {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const form = useApiForm({ password: "" }, { password: "The password" });
  const [joined, setJoined] = useState(false);
  return (
    <AuthLayout title="Join the workspace" workspaceName={workspaceName}>
      {joined ? (
        <Alert color="teal" role="status">
          You are a member now. Sign in to start.
        </Alert>
      ) : (
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void form.submit(async (values) => {
              await unwrap(api.POST("/api/v1/invitations/accept", { body: { token, ...values } }));
              setJoined(true);
            });
          }}
        >
          <Stack gap="sm">
            <Text size="sm">
              New to Rapport? Choose a password. Already have an account? Enter its password.
            </Text>
            {(form.formError || form.fieldErrors.token) && (
              <Alert color="red" role="alert">
                {form.fieldErrors.token ? "This invitation has expired or was used already." : form.formError}
              </Alert>
            )}
            <PasswordInput label="Password" autoComplete="new-password" required autoFocus {...form.field("password")} />
            <Button type="submit" loading={form.submitting} disabled={!token} fullWidth>
              Accept the invitation
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
