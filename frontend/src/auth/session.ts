// The signed-in session: read from GET /api/v1/auth/session on load (401: signed out), kept in the
// query cache under ["session"]; its CSRF token goes on every unsafe request.
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, ApiError, setCsrfToken, unwrap, whenSignedOut, type Schemas } from "../api/client";
import { keys } from "../api/keys";

export type Session = Schemas["SessionOut"];

export async function fetchSession(): Promise<Session | null> {
  try {
    const session = await unwrap(api.GET("/api/v1/auth/session"));
    setCsrfToken(session.csrf_token);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function useSession() {
  return useQuery({ queryKey: keys.session, queryFn: fetchSession, staleTime: Infinity, retry: false });
}

/** After a sign-in: the session is known without asking again. */
export function rememberSession(client: QueryClient, session: Session): void {
  setCsrfToken(session.csrf_token);
  client.setQueryData(keys.session, session);
}

/** A 401 anywhere means the session ended (expired, signed out elsewhere): show the sign-in page. */
export function watchForSignOut(client: QueryClient): void {
  whenSignedOut(() => {
    setCsrfToken(null);
    client.setQueryData(keys.session, null);
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return async () => {
    try {
      await unwrap(api.POST("/api/v1/auth/logout"));
    } finally {
      setCsrfToken(null);
      client.clear();
      client.setQueryData(keys.session, null);
    }
  };
}
