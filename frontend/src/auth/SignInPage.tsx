import { Alert, Anchor, Button, Divider, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { api, unwrap } from "../api/client";
import { keys } from "../api/keys";
import { AuthLayout } from "./AuthLayout";
import { rememberSession, useSession, type Session } from "./session";
import { useApiForm } from "./useForm";

/** Only paths of this app: never an absolute address someone put in the link. */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function SignInPage({ workspaceName }: { workspaceName: string }) {
  const [params] = useSearchParams();
  const session = useSession();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [challenge, setChallenge] = useState<string | null>(null);
  const next = safeNext(params.get("next"));

  const signedIn = (result: Session) => {
    rememberSession(client, result);
    navigate(next, { replace: true });
  };

  if (session.data) {
    return <Navigate to={next} replace />;
  }
  return (
    <AuthLayout title={challenge ? "Two-step verification" : "Sign in"} workspaceName={workspaceName}>
      {params.get("welcome") && !challenge && (
        <Alert color="teal" title="Your workspace is ready">
          Sign in with the email and password you just chose.
        </Alert>
      )}
      {challenge ? (
        <TotpStep challenge={challenge} onSignedIn={signedIn} onCancel={() => setChallenge(null)} />
      ) : (
        <PasswordStep
          email={params.get("email") ?? ""}
          onSignedIn={signedIn}
          onTotpRequired={setChallenge}
        />
      )}
    </AuthLayout>
  );
}

function PasswordStep({
  email,
  onSignedIn,
  onTotpRequired,
}: {
  email: string;
  onSignedIn: (session: Session) => void;
  onTotpRequired: (challenge: string) => void;
}) {
  const form = useApiForm({ email, password: "" });
  const providers = useQuery({
    queryKey: keys.ssoProviders,
    queryFn: () => unwrap(api.GET("/api/v1/auth/sso/providers")),
  });

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void form.submit(async (values) => {
          const result = await unwrap(api.POST("/api/v1/auth/login", { body: values }));
          if (result.status === "totp_required") {
            onTotpRequired(result.challenge);
          } else {
            onSignedIn(result);
          }
        });
      }}
    >
      <Stack gap="sm">
        {form.formError && (
          <Alert color="red" role="alert">
            {form.formError}
          </Alert>
        )}
        <TextInput label="Email" type="email" autoComplete="username" required autoFocus={!email} {...form.field("email")} />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          required
          autoFocus={Boolean(email)}
          {...form.field("password")}
        />
        <Anchor component={Link} to="/forgot-password" size="sm" w="fit-content">
          Forgot your password?
        </Anchor>
        <Button type="submit" loading={form.submitting} fullWidth>
          Sign in
        </Button>
        {providers.data && providers.data.length > 0 && (
          <>
            <Divider label="or" labelPosition="center" />
            {providers.data.map((provider) => (
              <Button key={provider.id} component="a" href={provider.start_url} variant="default" fullWidth>
                Sign in with {provider.name}
              </Button>
            ))}
          </>
        )}
      </Stack>
    </form>
  );
}

function TotpStep({
  challenge,
  onSignedIn,
  onCancel,
}: {
  challenge: string;
  onSignedIn: (session: Session) => void;
  onCancel: () => void;
}) {
  const form = useApiForm({ code: "" }, { code: "The code" });
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void form.submit(async (values) => {
          const result = await unwrap(
            api.POST("/api/v1/auth/login/totp", { body: { challenge, code: values.code.trim() } }),
          );
          onSignedIn(result);
        });
      }}
    >
      <Stack gap="sm">
        <Text size="sm">Enter the 6-digit code from your authenticator app, or one of your recovery codes.</Text>
        {form.formError && (
          <Alert color="red" role="alert">
            {form.formError}
          </Alert>
        )}
        <TextInput
          label="Code"
          autoComplete="one-time-code"
          inputMode="text"
          required
          autoFocus
          {...form.field("code")}
        />
        <Button type="submit" loading={form.submitting} fullWidth>
          Verify
        </Button>
        <Button variant="subtle" onClick={onCancel}>
          Back
        </Button>
      </Stack>
    </form>
  );
}
