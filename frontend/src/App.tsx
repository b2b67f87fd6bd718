// Which app this host gets: a workspace's (sign-in, then the CRM) or, on the bare domain, the signup.
import { Center, Loader } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { lazy, type ComponentType } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router";
import { api, ApiError, unwrap } from "./api/client";
import { keys } from "./api/keys";
import { AcceptInvitationPage } from "./auth/AcceptInvitationPage";
import { ForgotPasswordPage, ResetPasswordPage } from "./auth/PasswordResetPages";
import { useSession } from "./auth/session";
import { SignInPage } from "./auth/SignInPage";
import { SignupPage } from "./auth/SignupPage";
import { VerifyEmailPage } from "./auth/VerifyEmailPage";
import { ImportRoute } from "./imports/ImportRoute";
import { ErrorState } from "./shell/ErrorState";
import { Shell } from "./shell/Shell";

// Screens load when first visited (route-level code splitting): the first visit downloads the shell only.
function named<M, K extends keyof M>(load: () => Promise<M>, name: K) {
  return lazy(() => load().then((module) => ({ default: module[name] as ComponentType<PropsOf<M[K]>> })));
}
type PropsOf<C> = C extends ComponentType<infer P> ? P : never;
const tablePages = () => import("./crm/TablePages");
const ContactsPage = named(tablePages, "ContactsPage");
const CompaniesPage = named(tablePages, "CompaniesPage");
const LeadsPage = named(tablePages, "LeadsPage");
const RecordPage = named(() => import("./crm/RecordPage"), "RecordPage");
const LeadPage = named(() => import("./leads/LeadPage"), "LeadPage");
const DealsPage = named(() => import("./deals/DealsPage"), "DealsPage");
const DealPage = named(() => import("./deals/DealPage"), "DealPage");
const HomePage = named(() => import("./home/HomePage"), "HomePage");
const ActivitiesPage = named(() => import("./activities/ActivitiesPage"), "ActivitiesPage");
const SettingsPage = named(() => import("./settings/SettingsPage"), "SettingsPage");
const AccountApiKeysPage = named(() => import("./settings/SettingsPage"), "AccountApiKeysPage");
const ProfilePage = named(() => import("./settings/ProfilePage"), "ProfilePage");

export function App() {
  const workspace = useQuery({
    queryKey: keys.workspace,
    queryFn: () => unwrap(api.GET("/api/v1/workspace")),
    staleTime: Infinity,
  });
  if (workspace.isPending) {
    return <FullPageLoader />;
  }
  if (workspace.isError) {
    const error = workspace.error;
    if (error instanceof ApiError && error.status === 404) {
      return <SignupPage notFound={error.problem.detail?.includes(location.hostname) ? location.hostname : null} />;
    }
    return <ErrorState error={error} onRetry={() => workspace.refetch()} />;
  }
  return <WorkspaceApp name={workspace.data.name} />;
}

function WorkspaceApp({ name }: { name: string }) {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage workspaceName={name} />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage workspaceName={name} />} />
      <Route path="/reset-password" element={<ResetPasswordPage workspaceName={name} />} />
      <Route path="/accept-invitation" element={<AcceptInvitationPage workspaceName={name} />} />
      <Route path="/verify-email" element={<VerifyEmailPage workspaceName={name} />} />
      <Route path="*" element={<SignedIn />} />
    </Routes>
  );
}

function SignedIn() {
  const session = useSession();
  const here = useLocation();
  if (session.isPending) {
    return <FullPageLoader />;
  }
  if (session.isError) {
    return <ErrorState error={session.error} onRetry={() => session.refetch()} />;
  }
  if (!session.data) {
    const next = here.pathname === "/" ? "" : `?next=${encodeURIComponent(here.pathname + here.search)}`;
    return <Navigate to={`/sign-in${next}`} replace />;
  }
  return (
    <Routes>
      <Route element={<Shell session={session.data} />}>
        <Route index element={<HomePage />} />
        <Route path="/activities" element={<ActivitiesPage />} />
        <Route path="/contacts" element={<ContactsPage />} />
        <Route path="/contacts/:id" element={<RecordPage type="contact" />} />
        <Route path="/companies" element={<CompaniesPage />} />
        <Route path="/companies/:id" element={<RecordPage type="company" />} />
        <Route path="/leads" element={<LeadsPage />} />
        <Route path="/leads/:id" element={<LeadPage />} />
        <Route path="/deals" element={<DealsPage />} />
        <Route path="/deals/:id" element={<DealPage />} />
        <Route path="/settings" element={<SettingsPage />} />
        <Route path="/settings/:section" element={<SettingsPage />} />
        <Route path="/account/api-keys" element={<AccountApiKeysPage />} />
        <Route path="/account/profile" element={<ProfilePage />} />
        <Route path="/import" element={<ImportRoute />} />
        <Route path="*" element={<ErrorState error={new Error("There is no page at this address.")} />} />
      </Route>
    </Routes>
  );
}

export function FullPageLoader() {
  return (
    <Center h="100vh">
      <Loader aria-label="Loading" />
    </Center>
  );
}
