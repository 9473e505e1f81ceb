/**
 * The signin context's face: browser sessions for operators and for people signed in at the
 * company's identity provider. `SigninService` (built by `createSignin`) starts a session from
 * an operator token, resolves a request's `mandate_session` cookie to `{sessionId, principal,
 * csrfToken, expiresAt}` (`currentSession`), checks CSRF on unsafe requests (`csrfRefusal`),
 * guards `return_to` against open redirects (`safeReturnTo`, `signinLocation`), signs people
 * in at upstream OpenID Providers (`beginUpstream`, `completeUpstream`: code + PKCE, state,
 * nonce; openid-client), lists and revokes sessions. Only the cookie's SHA-256 is stored; the CSRF token is derived from the
 * cookie. Tables and SQL (tables.ts, store.ts) stay inside.
 */
export { SigninService, sessionActor } from './service.js';
export { createSignin } from './setup.js';
export { CSRF_HEADER } from './csrf.js';
export { SESSION_COOKIE, SIGNIN_COOKIE } from './cookie.js';
export { SigninRefusedError } from './upstream.js';
export { DEFAULT_RETURN_TO } from './return-to.js';
export type { CurrentSession, SessionInfo, SessionPrincipal, SigninOrigin, StartedSession } from './types.js';
export { signinMigrations } from './migrations/index.js';
