import type { OperatorPrincipal, PersonPrincipal } from '../identity/index.js';

/** The principal of a browser session: an operator (roles read live) or a person. */
export type SessionPrincipal = OperatorPrincipal | PersonPrincipal;

/** A live session, as the request that carried its cookie sees it. */
export interface CurrentSession {
  sessionId: string;
  principal: SessionPrincipal;
  /** The value `x-csrf-token` must carry on unsafe requests. */
  csrfToken: string;
  /** The absolute end (ISO); the session ends earlier when idle for signin.sessionIdleSeconds. */
  expiresAt: string;
}

/** A new session: the cookie's value goes to the browser once and is never stored. */
export interface StartedSession extends CurrentSession {
  cookieValue: string;
  /** Seconds until the absolute end: the cookie's Max-Age. */
  maxAgeSeconds: number;
}

/** A session as the admin list shows it (never its cookie or CSRF token). */
export interface SessionInfo {
  id: string;
  kind: 'operator' | 'person';
  principalId: string;
  email: string;
  method: 'token' | 'idp';
  idpId: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  /** When the session ends if unused from now on (the earlier of absolute and idle). */
  idleExpiresAt: string;
}

/** Who a session is for, when it starts. */
export type SessionSubject =
  | { kind: 'operator'; operatorId: string; email: string }
  | { kind: 'person'; personId: string; email: string; idpId: string; subject: string };

/** Where a sign-in comes from: the caller's address (rate limit, audit) and browser. */
export interface SigninOrigin {
  address: string;
  userAgent?: string | undefined;
}
