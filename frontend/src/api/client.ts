// The API client: openapi-fetch over the generated types, with the session's CSRF token on unsafe requests
// and every failure turned into an ApiError that carries the API's problem details.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

export interface FieldProblem {
  field: string;
  message: string;
}

/** RFC 9457 problem details, as every API error is answered. */
export interface Problem {
  status: number;
  type: string;
  title: string;
  detail?: string;
  errors?: FieldProblem[];
}

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  /** The stable slug of the problem type, e.g. `validation-error`, `csrf-failed`. */
  get kind(): string {
    return this.problem.type.split("/").pop() ?? "";
  }

  /** Field errors by field path (`emails.0`), the first message of each. */
  fieldErrors(): Record<string, string> {
    const found: Record<string, string> = {};
    for (const error of this.problem.errors ?? []) {
      found[error.field] ??= error.message;
    }
    return found;
  }
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
let csrfToken: string | null = null;
let onSignedOut: () => void = () => {};

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** What to do when the API says the session is gone (401 outside the sign-in calls). */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

const session: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !SAFE.has(request.method)) {
      request.headers.set("X-CSRF-Token", csrfToken);
    }
    return request;
  },
  onResponse({ request, response }) {
    const path = new URL(request.url).pathname;
    if (response.status === 401 && !path.startsWith("/api/v1/auth/")) {
      onSignedOut();
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: location.origin, credentials: "same-origin" });
api.use(session);

function isProblem(body: unknown): body is Problem {
  return typeof body === "object" && body !== null && "status" in body && "title" in body;
}

export function toApiError(body: unknown, response: Response): ApiError {
  if (isProblem(body)) {
    return new ApiError({ ...body, type: body.type ?? "about:blank" });
  }
  return new ApiError({
    status: response.status,
    type: "about:blank",
    title: response.statusText || "The request failed",
    detail: `The server answered ${response.status}.`,
  });
}

/** The data of a call, or throw its ApiError (network failures become a problem too). */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw new ApiError({
      status: 0,
      type: "network-error",
      title: "The server could not be reached",
      detail: "The server could not be reached; check your connection and try again.",
    });
  }
  if (!result.response.ok) {
    throw toApiError(result.error, result.response);
  }
  return result.data as T;
}

/** A message to show a person for any error. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    return error.problem.detail ?? error.problem.title;
  }
  return error instanceof Error ? error.message : "Something went wrong.";
}

/**
 * The data of a call the API documents as an open object (records, views, custom fields), typed by the
 * caller; throws like `unwrap`.
 */
export async function unwrapAs<T>(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> {
  return (await unwrap(call)) as T;
}
