import { Alert, Anchor, Button, Stack } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { api, ApiError, messageOf, unwrap } from "../api/client";
import { AuthLayout } from "./AuthLayout";

export function VerifyEmailPage({ workspaceName }: { workspaceName: string }) {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const verify = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/auth/verify-email", { body: { token } })),
  });
  const expired = verify.error instanceof ApiError && "token" in verify.error.fieldErrors();
  return (
    <AuthLayout title="Confirm your email address" workspaceName={workspaceName}>
      <Stack gap="sm">
        {verify.isSuccess && (
          <Alert color="teal" role="status">
            Your email address is confirmed.
          </Alert>
        )}
        {verify.isError && (
          <Alert color="red" role="alert">
            {expired ? "This link has expired or was used already." : messageOf(verify.error)}
          </Alert>
        )}
        {!verify.isSuccess && (
          <Button onClick={() => verify.mutate()} loading={verify.isPending} disabled={!token} fullWidth>
            Confirm my address
          </Button>
        )}
        <Anchor component={Link} to="/" size="sm">
          Go to the workspace
        </Anchor>
      </Stack>
    </AuthLayout>
  );
}
