import { constantTimeEqual } from '../crypto/index.js';

/** Methods that change state: a session-authenticated request with one of them must prove CSRF. */
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const CSRF_HEADER = 'x-csrf-token';

/**
 * Why a request authenticated by the session cookie fails the CSRF check, or null when it
 * passes: safe methods pass; unsafe ones must send `x-csrf-token` equal to the session's
 * token (constant time) and, if the browser sent `Origin`, come from the issuer's origin.
 */
export function csrfRefusal(request: { method: string; headers: Record<string, string | string[] | undefined> }, expected: string, issuerOrigin: string): string | null {
  if (!UNSAFE.has(request.method.toUpperCase())) return null;
  const foreign = originRefusal(request.headers, issuerOrigin);
  if (foreign) return foreign;
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || sent === '') return `missing ${CSRF_HEADER} header: a request authenticated by the session cookie must send the session's CSRF token (GET /v1/session)`;
  if (!constantTimeEqual(sent, expected)) return `the ${CSRF_HEADER} header does not match this session's CSRF token`;
  return null;
}

/**
 * Why a request's `Origin` (when the browser sent one) is not the issuer's, or null. Also
 * guards the sign-in form itself, so another site cannot sign a browser in to an account of
 * its choosing (login CSRF).
 */
export function originRefusal(headers: Record<string, string | string[] | undefined>, issuerOrigin: string): string | null {
  const origin = headers.origin;
  if (origin === undefined || origin === issuerOrigin) return null;
  return `the request comes from another origin (${String(origin).slice(0, 200)}); only ${issuerOrigin} may use this session`;
}
