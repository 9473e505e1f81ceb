/**
 * The console's one way to the server: the public HTTP API, same origin, the session cookie
 * (HttpOnly, never readable here) and the session's CSRF token on every unsafe method.
 * Nothing is kept in localStorage or sessionStorage: the CSRF token lives in this module's
 * memory and is read again from GET /v1/session after a reload.
 */

/** An API answer other than 2xx, with the server's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken: string | null = null;

/** Set from GET /v1/session (or cleared on sign-out). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Where the sign-in page sends the browser back to: the console path being looked at. */
export function signInUrl(location: Pick<Location, 'pathname' | 'search'> = window.location): string {
  return `/signin?return_to=${encodeURIComponent(location.pathname + location.search)}`;
}

/** The session ended (expired, revoked, idle): go to sign-in, and come back here after. */
export function toSignIn(): void {
  window.location.assign(signInUrl());
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
  /** Leave 401 to the caller instead of navigating to the sign-in page (the session probe). */
  allowUnauthenticated?: boolean;
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** One JSON call; throws ApiError for non-2xx answers (and navigates to sign-in on 401). */
export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (UNSAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(withQuery(path, options.query), {
    method,
    headers,
    body,
    credentials: 'same-origin',
    cache: 'no-store',
    signal: options.signal,
  });
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (response.ok) return parsed as T;
  if (response.status === 401 && !options.allowUnauthenticated) toSignIn();
  const error = (parsed ?? {}) as { error?: string; message?: string; error_description?: string };
  throw new ApiError(
    response.status,
    error.error ?? `http_${response.status}`,
    error.message ?? error.error_description ?? `${method} ${path} answered ${response.status}`,
    parsed,
  );
}

/** Text to show a person for any failure. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code}, ${error.status})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
