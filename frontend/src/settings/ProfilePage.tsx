// My profile, for every member: a new password (here, or by an emailed link), two-factor sign-in with an
// authenticator app (its state from /me), and my signed-in sessions (all others end with one request).
import { Alert, Badge, Button, Code, CopyButton, Group, List, Paper, PasswordInput, Skeleton, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { encode } from "uqr";
import { api, ApiError, messageOf, unwrap, type Schemas } from "../api/client";
import { useSession } from "../auth/session";
import { formatDateTime } from "../crm/format";
import { formErrors, NO_ERRORS, said, type FormErrors } from "./errors";
import { browserOf, groupedSecret, qrPath } from "./settingsLogic";

const SESSIONS = ["me", "sessions"] as const;
const ME = ["me", "profile"] as const;

export function ProfilePage() {
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        My profile
      </Title>
      <PasswordSection />
      <TwoFactorSection />
      <SessionsSection />
    </Stack>
  );
}

function PasswordSection() {
  const session = useSession();
  const email = session.data?.email ?? "";
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const change = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    setDone(false);
    try {
      await unwrap(api.POST("/api/v1/me/password", { body: { current_password: current, new_password: next } }));
      setCurrent("");
      setNext("");
      setDone(true);
    } catch (failure) {
      setErrors(formErrors(failure, ["current_password", "new_password"]));
    } finally {
      setBusy(false);
    }
  };
  const sendLink = async () => {
    try {
      const answer = await unwrap(api.POST("/api/v1/auth/password-reset", { body: { email } }));
      setSent(answer.detail ?? "Check your inbox.");
    } catch (failure) {
      setErrors({ fields: {}, form: messageOf(failure) });
    }
  };
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="profile-password">
      <Stack gap="sm">
        <Title order={2} size="h5" id="profile-password">
          Password
        </Title>
        {done && (
          <Alert color="teal" role="status">
            Your password is changed. Your other sessions are signed out.
          </Alert>
        )}
        {sent && (
          <Alert color="teal" role="status">
            {sent}
          </Alert>
        )}
        {errors.form && (
          <Alert color="red" role="alert">
            {errors.form}
          </Alert>
        )}
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void change();
          }}
        >
          <Stack gap="sm" maw={420}>
            <PasswordInput label="Current password" autoComplete="current-password" required value={current}
              onChange={(event) => setCurrent(event.currentTarget.value)}
              error={said("The current password", errors.fields.current_password)} />
            <PasswordInput label="New password" autoComplete="new-password" required value={next}
              onChange={(event) => setNext(event.currentTarget.value)}
              error={said("The new password", errors.fields.new_password)} />
            <Group>
              <Button type="submit" loading={busy} disabled={!current || !next}>
                Change password
              </Button>
              <Button variant="subtle" onClick={() => void sendLink()} disabled={!email}>
                Forgot it? Email me a link
              </Button>
            </Group>
          </Stack>
        </form>
      </Stack>
    </Paper>
  );
}

type Enrollment = Schemas["TotpEnrollment"];

function TwoFactorSection() {
  const client = useQueryClient();
  const me = useQuery({ queryKey: ME, queryFn: () => unwrap(api.GET("/api/v1/me")) });
  const enabled = me.data?.totp_enabled;
  const refresh = () => void client.invalidateQueries({ queryKey: ME });
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setBusy(true);
    setStartError(null);
    try {
      setEnrollment(await unwrap(api.POST("/api/v1/me/totp")));
      setRecoveryCodes(null);
    } catch (error) {
      setStartError(error instanceof ApiError && error.status === 409 ? `${messageOf(error)} Turn it off below first to set up another app.` : messageOf(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="profile-2fa">
      <Stack gap="sm">
        <Group gap="xs">
          <Title order={2} size="h5" id="profile-2fa">
            Two-factor sign-in
          </Title>
          {enabled !== undefined && (
            <Badge color={enabled ? "teal" : "gray"} variant="light" data-testid="totp-state">
              {enabled ? "On" : "Off"}
            </Badge>
          )}
        </Group>
        <Text size="sm">After your password, sign-in asks for a code from an authenticator app.</Text>
        {recoveryCodes && <RecoveryCodesShown codes={recoveryCodes} onDone={() => setRecoveryCodes(null)} />}
        {startError && (
          <Alert color="yellow" role="alert">
            {startError}
          </Alert>
        )}
        {enrollment ? (
          <ConfirmEnrollment
            enrollment={enrollment}
            onCancel={() => setEnrollment(null)}
            onConfirmed={(codes) => {
              setEnrollment(null);
              setRecoveryCodes(codes);
              refresh();
            }}
          />
        ) : (
          !recoveryCodes &&
          enabled === false && (
            <Group>
              <Button onClick={() => void start()} loading={busy}>
                Set up an authenticator app
              </Button>
            </Group>
          )
        )}
        {enabled && <DisableTwoFactor onDisabled={refresh} />}
      </Stack>
    </Paper>
  );
}

function QrCode({ value, label }: { value: string; label: string }) {
  const { path, size } = useMemo(() => {
    const qr = encode(value, { border: 0 });
    return { path: qrPath(qr.data), size: qr.size };
  }, [value]);
  return (
    <svg role="img" aria-label={label} viewBox={`-2 -2 ${size + 4} ${size + 4}`} width={180} height={180} style={{ background: "white" }}>
      <path d={path} fill="black" shapeRendering="crispEdges" />
    </svg>
  );
}

function ConfirmEnrollment({ enrollment, onCancel, onConfirmed }: { enrollment: Enrollment; onCancel: () => void; onConfirmed: (codes: string[]) => void }) {
  const [code, setCode] = useState("");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const answer = await unwrap(api.POST("/api/v1/me/totp/confirm", { body: { code: code.trim() } }));
      onConfirmed(answer.recovery_codes);
    } catch (error) {
      setErrors(formErrors(error, ["code"]));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="sm" data-testid="totp-enrollment">
      <Text size="sm">Scan this code with your authenticator app, or type the secret into it:</Text>
      <Group align="flex-start" wrap="wrap">
        <QrCode value={enrollment.otpauth_uri} label="QR code for your authenticator app" />
        <Stack gap={6} maw={420}>
          <Text size="xs" c="dimmed">
            Secret
          </Text>
          <Code data-testid="totp-secret" fz="md">
            {groupedSecret(enrollment.secret)}
          </Code>
          <Text size="xs" c="dimmed">
            Setup address
          </Text>
          <Code style={{ wordBreak: "break-all" }}>{enrollment.otpauth_uri}</Code>
        </Stack>
      </Group>
      {errors.form && (
        <Alert color="red" role="alert">
          {errors.form}
        </Alert>
      )}
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void confirm();
        }}
      >
        <Group align="flex-start">
          <TextInput label="Code from the app" w={200} inputMode="numeric" autoComplete="one-time-code" value={code}
            onChange={(event) => setCode(event.currentTarget.value)} error={said("The code", errors.fields.code)} />
          <Button type="submit" mt={25} loading={busy}>
            Turn on two-factor sign-in
          </Button>
          <Button variant="subtle" mt={25} onClick={onCancel}>
            Cancel
          </Button>
        </Group>
      </form>
    </Stack>
  );
}

function RecoveryCodesShown({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const text = codes.join("\n");
  return (
    <Alert color="teal" title="Two-factor sign-in is on. Keep these recovery codes: they are shown only this once" data-testid="recovery-codes">
      <Text size="sm" mb="xs">
        Each one signs you in once without the app.
      </Text>
      <List size="sm" spacing={2} mb="xs">
        {codes.map((code) => (
          <List.Item key={code}>
            <Code>{code}</Code>
          </List.Item>
        ))}
      </List>
      <Group gap="xs">
        <CopyButton value={text}>
          {({ copied, copy }) => (
            <Button size="xs" variant="light" onClick={copy}>
              {copied ? "Copied" : "Copy the codes"}
            </Button>
          )}
        </CopyButton>
        <Button size="xs" variant="subtle" onClick={onDone}>
          I have saved them
        </Button>
      </Group>
    </Alert>
  );
}

function DisableTwoFactor({ onDisabled }: { onDisabled: () => void }) {
  const [code, setCode] = useState("");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const disable = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      await unwrap(api.POST("/api/v1/me/totp/disable", { body: { code: code.trim() } }));
      setCode("");
      notifications.show({ message: "Two-factor sign-in is off." });
      onDisabled();
    } catch (error) {
      setErrors(formErrors(error, ["code"]));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void disable();
      }}
    >
      <Stack gap={6} mt="sm">
        <Text size="sm" fw={500}>
          Turn two-factor sign-in off
        </Text>
        {errors.form && (
          <Alert color="red" role="alert">
            {errors.form}
          </Alert>
        )}
        <Group align="flex-start">
          <TextInput label="Code or recovery code" w={240} autoComplete="one-time-code" value={code}
            onChange={(event) => setCode(event.currentTarget.value)} error={said("The code", errors.fields.code)} />
          <Button type="submit" mt={25} variant="light" color="red" loading={busy} disabled={!code.trim()}>
            Turn off
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function SessionsSection() {
  const sessions = useQuery({ queryKey: SESSIONS, queryFn: () => unwrap(api.GET("/api/v1/me/sessions")) });
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const revoke = async (ids: string[]) => {
    setBusy(true);
    try {
      const [only] = ids;
      if (ids.length === 1 && only) {
        await unwrap(api.DELETE("/api/v1/me/sessions/{session_id}", { params: { path: { session_id: only } } }));
        notifications.show({ message: "Signed that session out." });
      } else {
        const { ended } = await unwrap(api.DELETE("/api/v1/me/sessions"));
        notifications.show({ message: `Signed ${ended} other ${ended === 1 ? "session" : "sessions"} out.` });
      }
    } catch (error) {
      notifications.show({ color: "red", title: "Not signed out", message: messageOf(error) });
    } finally {
      setBusy(false);
      await client.invalidateQueries({ queryKey: SESSIONS });
    }
  };
  const others = (sessions.data ?? []).filter((session) => !session.current);
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="profile-sessions">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5" id="profile-sessions">
          Where you are signed in
        </Title>
        {others.length > 0 && (
          <Button size="xs" variant="light" color="red" loading={busy} onClick={() => void revoke(others.map((session) => session.id))}>
            Sign out all other sessions
          </Button>
        )}
      </Group>
      {sessions.isPending && <Skeleton height={80} />}
      {sessions.isError && <Text c="red">{messageOf(sessions.error)}</Text>}
      {sessions.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No sessions (you are using an API key).
        </Text>
      )}
      {!!sessions.data?.length && (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs" aria-label="Sessions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Browser</Table.Th>
                <Table.Th>Address</Table.Th>
                <Table.Th>Signed in</Table.Th>
                <Table.Th>Last seen</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sessions.data.map((session) => (
                <Table.Tr key={session.id} data-session={session.current ? "current" : "other"}>
                  <Table.Td>
                    <Text size="sm" title={session.user_agent ?? undefined}>
                      {browserOf(session.user_agent)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{session.ip ?? "—"}</Table.Td>
                  <Table.Td>{formatDateTime(session.created_at)}</Table.Td>
                  <Table.Td>{formatDateTime(session.last_seen_at)}</Table.Td>
                  <Table.Td>
                    {session.current ? (
                      <Badge color="teal" variant="light">
                        This browser
                      </Badge>
                    ) : (
                      <Button size="xs" variant="subtle" color="red" disabled={busy} aria-label={`Sign out ${browserOf(session.user_agent)} (${session.ip ?? "unknown address"})`}
                        onClick={() => void revoke([session.id])}>
                        Sign out
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}
