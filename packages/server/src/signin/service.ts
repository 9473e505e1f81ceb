import type { Actor } from '../audit/index.js';
import type { RequestContext } from '../identity/index.js';
import { cookieAttributes, cookieFromHeader, secureCookies, SESSION_COOKIE } from './cookie.js';
import { csrfRefusal, originRefusal } from './csrf.js';
import type { SigninDeps } from './deps.js';
import { safeReturnTo, signinLocation } from './return-to.js';
import { endSession, listSessions, pruneSessions, resolveSession } from './sessions.js';
import { signInWithToken } from './token-signin.js';
import { beginUpstream, completeUpstream, pruneStates } from './upstream.js';
import type { SessionHolder } from './store.js';
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
    return this.deps.upstreams.upstreams.map((u) => ({ id: u.id, name: u.name }));
  }

  /** Starts a sign-in at upstream IdP `idpId`: where to send the browser, and the `mandate_signin` cookie binding it. */
  beginUpstream(idpId: string, returnTo: string): Promise<{ location: string; browserCookie: string }> {
    return beginUpstream(this.deps, idpId, returnTo);
  }

  /** The IdP's redirect back (`/signin/callback?...`): a session, or `SigninRefusedError` (400 bad state/replay, 403 not admitted). */
  completeUpstream(callbackUrl: URL, browserCookie: string | null, origin: SigninOrigin): Promise<StartedSession & { returnTo: string }> {
    return completeUpstream(this.deps, callbackUrl, browserCookie, origin);
  }

  /** Seconds a sign-in at an upstream IdP may take (the `mandate_signin` cookie's Max-Age). */
  get stateTtlSeconds(): number {
    return this.deps.settings.stateTtlSeconds;
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

  /** The live sessions of the holder of `session` (every browser they are signed in on), newest first. */
  listOwn(session: CurrentSession): Promise<SessionInfo[]> {
    return listSessions(this.deps, holderOf(session));
  }

  /** The holder of `session` ends one of their own sessions (another browser): audited as a sign-out; 404 for anyone else's. */
  endOwn(session: CurrentSession, sessionId: string): Promise<void> {
    return endSession(this.deps, sessionId, 'logout', sessionActor(session), holderOf(session));
  }

  async prune(): Promise<number> {
    return (await pruneSessions(this.deps)) + (await pruneStates(this.deps));
  }
}

/** Whose sessions `session` is one of. */
function holderOf(session: CurrentSession): SessionHolder {
  const p = session.principal;
  return p.kind === 'operator' ? { kind: 'operator', principalId: p.operatorId } : { kind: 'person', principalId: p.personId };
}

/** The holder of `session` as the audit names them (their sign-out, their ending of another of their sessions). */
export function sessionActor(session: CurrentSession): Actor {
  const p = session.principal;
  return p.kind === 'operator' ? { kind: 'operator', id: p.operatorId, roles: p.roles } : { kind: 'person', id: p.personId };
}
