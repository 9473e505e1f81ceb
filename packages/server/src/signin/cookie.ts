import { createHash, createHmac, randomBytes } from 'node:crypto';

/** The session cookie's name (docs/signin.md); the console and the authorization endpoint read it. */
export const SESSION_COOKIE = 'mandate_session';

/** What the cookie holds: `mss_` and 256 random bits. Only its SHA-256 is stored. */
export function newSessionToken(): string {
  return `mss_${randomBytes(32).toString('base64url')}`;
}

export function sessionTokenHash(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/**
 * A session's CSRF token, derived from the cookie's value: nothing more is stored, a copy of the
 * database (which holds only the cookie's hash) does not yield it, and a page on another origin,
 * which cannot read the HttpOnly cookie, cannot compute it.
 */
export function csrfTokenOf(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('mandate:csrf', 'utf8').digest('base64url');
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether cookies carry `Secure`: always, unless the issuer is plain http on a loopback host
 * (a developer's machine), where a Secure cookie would never come back.
 */
export function secureCookies(issuer: string): boolean {
  const url = new URL(issuer);
  return !(url.protocol === 'http:' && (LOOPBACK.has(url.hostname) || url.hostname.startsWith('127.')));
}

/** The attributes of every cookie the sign-in sets, for @fastify/cookie's setCookie/clearCookie. */
export function cookieAttributes(secure: boolean, maxAgeSeconds?: number) {
  return { httpOnly: true, sameSite: 'lax' as const, path: '/', secure, ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }) };
}

/** A cookie's value from a raw `Cookie` header (for callers that hold only the headers), or null. */
export function cookieFromHeader(header: string | string[] | undefined, name: string): string | null {
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (!text) return null;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value === '' ? null : value;
  }
  return null;
}
