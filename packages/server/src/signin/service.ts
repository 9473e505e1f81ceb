import type { Actor } from '../audit/index.js';
import type { RequestContext } from '../identity/index.js';
import { cookieAttributes, cookieFromHeader, secureCookies, SESSION_COOKIE } from './cookie.js';
import { csrfRefusal, originRefusal } from './csrf.js';
import type { SigninDeps } from './deps.js';
import { safeReturnTo, signinLocation } from './return-to.js';
import { endSession, listSessions, pruneSessions, resolveSession } from './sessions.js';
import { signInWithToken } from './token-signin.js';
import type { CurrentSession, SessionInfo, SigninOrigin, StartedSession } from './types.js';

/**
 * People's and operators' browser sessions. Each method hands on to a use case (sessions.ts,
 * token-signin.ts); this class is what the composition root, http/ and other contexts hold.
 */
export class SigninService {
  /** Whether the session cookie carries `Secure` (not on an http loopback issuer). */
  readonly secureCookies: boolean;

  constructor(private readonly deps: SigninDeps) {
    this.secureCookies = secureCookies(deps.settings.issuerOrigin);
  }

  /** The configured upstream IdPs, for the sign-in page's buttons. */
  providers(): Array<{ id: string; name: string }> {
    return [];
  }

  /** Starts an operator's session from an operator token (the sign-in form). */
  signInWithToken(token: string, origin: SigninOrigin): Promise<StartedSession> {
    return signInWithToken(this.deps, token, origin);
  }

  /** The live session behind a cookie's value, or null. */
  session(cookieValue: string): Promise<CurrentSession | null> {
    return resolveSession(this.deps, cookieValue);
  }

  /**
   * The live session of a request (its `Cookie` header), or null: what the authorization
   * endpoint asks to know whether a person is signed in. No CSRF check here: reading a session
   * is safe; `csrfRefusal` is for requests that change something.
   */
  async currentSession(request: Pick<RequestContext, 'headers'>): Promise<CurrentSession | null> {
    const value = cookieFromHeader(request.headers.cookie, SESSION_COOKIE);
    return value ? this.session(value) : null;
  }

  /** Why an unsafe request on this session fails the CSRF check (header and Origin), or null. */
  csrfRefusal(request: Pick<RequestContext, 'method' | 'headers'>, session: CurrentSession): string | null {
    return csrfRefusal(request, session.csrfToken, this.deps.settings.issuerOrigin);
  }

  /** Why the request's `Origin` is not the issuer's (another site posting the sign-in form), or null. */
  originRefusal(request: Pick<RequestContext, 'headers'>): string | null {
    return originRefusal(request.headers, this.deps.settings.issuerOrigin);
  }

  /** `return_to` when it is a path on this server, else `/console/` (the open-redirect guard). */
  safeReturnTo(value: unknown): string {
    return safeReturnTo(value, this.deps.settings.returnToMaxLength);
  }

  /** Where to send a browser that is not signed in, to come back to `returnTo` (a local path) after. */
  signinLocation(returnTo: string): string {
    return signinLocation(returnTo, this.deps.settings.returnToMaxLength);
  }

  /** The session cookie's attributes (HttpOnly, SameSite=Lax, Path=/, Secure unless http loopback). */
  cookieAttributes(maxAgeSeconds?: number) {
    return cookieAttributes(this.secureCookies, maxAgeSeconds);
  }

  /** The holder signs out: the session ends (audited). */
  logout(sessionId: string, actor: Actor): Promise<void> {
    return endSession(this.deps, sessionId, 'logout', actor);
  }

  /** An admin ends a session (audited); 404 unknown, 409 already ended. */
  revoke(sessionId: string, actor: Actor): Promise<void> {
    return endSession(this.deps, sessionId, 'revoked', actor);
  }

  list(): Promise<SessionInfo[]> {
    return listSessions(this.deps);
  }

  prune(): Promise<number> {
    return pruneSessions(this.deps);
  }
}
