import { randomBytes } from 'node:crypto';
import type { Actor, AuditEvent } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { csrfTokenOf, newSessionToken, sessionTokenHash } from './cookie.js';
import { KEEP_ENDED_MS, LIST_MAX, TOUCH_EVERY_MS, USER_AGENT_MAX, type SigninDeps } from './deps.js';
import * as store from './store.js';
import type { SessionRow } from './tables.js';
import type { CurrentSession, SessionInfo, SessionPrincipal, SessionSubject, SigninOrigin, StartedSession } from './types.js';

/** The actor a session's principal is in the audit log. */
export function actorOfSubject(subject: SessionSubject): Actor {
  return subject.kind === 'operator' ? { kind: 'operator', id: subject.operatorId } : { kind: 'person', id: subject.personId };
}

/**
 * Starts a session for `subject` and records `signin.succeeded` in the same transaction. The
 * cookie's value is returned once; the row keeps its hash.
 */
export async function startSession(deps: SigninDeps, subject: SessionSubject, origin: SigninOrigin, idp: { idpId: string; subject: string } | null): Promise<StartedSession> {
  const method = idp ? 'idp' : 'token';
  const now = deps.clock.now();
  const cookieValue = newSessionToken();
  const id = `ses_${randomBytes(12).toString('base64url')}`;
  const expiresMs = now + deps.settings.ttlSeconds * 1000;
  const row: SessionRow = {
    id,
    token_hash: sessionTokenHash(cookieValue),
    kind: subject.kind,
    principal_id: subject.kind === 'operator' ? subject.operatorId : subject.personId,
    email: subject.email,
    method,
    idp_id: idp?.idpId ?? null,
    subject: idp?.subject ?? null,
    user_agent: origin.userAgent ? origin.userAgent.slice(0, USER_AGENT_MAX) : null,
    created_at: isoTime(now),
    last_seen_at: isoTime(now),
    expires_at: isoTime(expiresMs),
    revoked_at: null,
    revoked_reason: null,
  };
  const event: AuditEvent = {
    type: 'signin.succeeded',
    actor: actorOfSubject(subject),
    subject: row.principal_id,
    action: 'sign-in',
    outcome: 'success',
    details: { method, session_id: id, email: subject.email, address: origin.address, ...(idp ? { idp: idp.idpId } : {}) },
  };
  await deps.audit.withEntry(async (trx) => {
    await store.insertSession(trx, row);
    return { result: undefined, events: [event] };
  });
  const principal = await principalOf(deps, row);
  if (!principal) throw new ConflictError('the operator was disabled while signing in');
  return { sessionId: id, principal, csrfToken: csrfTokenOf(cookieValue), expiresAt: row.expires_at, cookieValue, maxAgeSeconds: deps.settings.ttlSeconds };
}

/** Records a refused sign-in (never the credential presented) and counts it against the address. */
export async function refuseSignin(deps: SigninDeps, method: 'token' | 'idp', origin: SigninOrigin, reason: string, details: Record<string, unknown> = {}): Promise<void> {
  deps.failures.fail(origin.address, deps.clock.now());
  await deps.audit.append({
    type: 'signin.refused',
    actor: { kind: 'anonymous', id: origin.address },
    action: 'sign-in',
    outcome: 'denied',
    details: { method, reason, address: origin.address, ...details },
  });
}

/** The principal a session row stands for now; null when its operator is gone or disabled. */
async function principalOf(deps: SigninDeps, row: SessionRow): Promise<SessionPrincipal | null> {
  if (row.kind === 'person') {
    return { kind: 'person', personId: row.principal_id, email: row.email, idpId: row.idp_id ?? '', subject: row.subject ?? '', sessionId: row.id };
  }
  // Roles and status are read on every use: a disabled operator's sessions end at once, a role change applies at once.
  const operator = await deps.operators.get(row.principal_id).catch((error: unknown) => {
    if (error instanceof NotFoundError) return null;
    throw error;
  });
  if (!operator || operator.status !== 'active') return null;
  return { kind: 'operator', operatorId: operator.id, email: operator.email, roles: operator.roles, tokenId: row.id, sessionId: row.id };
}

function idleEndMs(deps: SigninDeps, row: SessionRow): number {
  return Math.min(Date.parse(row.expires_at), Date.parse(row.last_seen_at) + deps.settings.idleSeconds * 1000);
}

/** Whether a row is a session that may be used at `now`: not revoked, before its absolute and idle ends. */
function isLive(deps: SigninDeps, row: SessionRow, now: number): boolean {
  return row.revoked_at === null && now < idleEndMs(deps, row);
}

/** The live session a cookie's value belongs to, or null; records its use (at most once a minute). */
export async function resolveSession(deps: SigninDeps, cookieValue: string): Promise<CurrentSession | null> {
  if (!cookieValue.startsWith('mss_') || cookieValue.length > 100) return null;
  const row = await store.sessionByTokenHash(deps.store.db, sessionTokenHash(cookieValue));
  const now = deps.clock.now();
  if (!row || !isLive(deps, row, now)) return null;
  const principal = await principalOf(deps, row);
  if (!principal) return null;
  if (now - Date.parse(row.last_seen_at) >= TOUCH_EVERY_MS) await store.touchSession(deps.store.db, row.id, isoTime(now));
  return { sessionId: row.id, principal, csrfToken: csrfTokenOf(cookieValue), expiresAt: row.expires_at };
}

/**
 * Ends a session: `logout` by its holder, `revoked` by an admin. 404 for an unknown id, and for
 * another's session when `holder` is given (a holder ending one of their own: another's id is
 * not confirmed to exist); 409 when it had already ended; audited in the same transaction.
 */
export async function endSession(deps: SigninDeps, id: string, reason: 'logout' | 'revoked', actor: Actor, holder?: store.SessionHolder): Promise<void> {
  await deps.audit.withEntry(async (trx) => {
    const row = await store.sessionById(trx, id);
    if (!row || (holder && (row.kind !== holder.kind || row.principal_id !== holder.principalId))) throw new NotFoundError('session', id);
    const ended = () => new ConflictError(`session '${id}' has already ended`);
    if (!isLive(deps, row, deps.clock.now())) throw ended();
    if (!(await store.revokeSession(trx, id, isoTime(deps.clock.now()), reason))) throw ended();
    return {
      result: undefined,
      events: [
        {
          type: reason === 'logout' ? 'signin.signed_out' : 'signin.session_revoked',
          actor,
          subject: row.principal_id,
          action: reason === 'logout' ? 'sign-out' : 'revoke-session',
          outcome: 'success',
          details: { session_id: id, kind: row.kind },
        },
      ],
    };
  });
}

/** Live sessions, newest first (at most LIST_MAX); only `holder`'s when given. */
export async function listSessions(deps: SigninDeps, holder?: store.SessionHolder): Promise<SessionInfo[]> {
  const now = deps.clock.now();
  const rows = await store.liveSessions(deps.store.db, isoTime(now), LIST_MAX, holder);
  return rows.filter((row) => isLive(deps, row, now)).map((row) => infoOf(deps, row));
}

function infoOf(deps: SigninDeps, row: SessionRow): SessionInfo {
  return {
    id: row.id,
    kind: row.kind as SessionInfo['kind'],
    principalId: row.principal_id,
    email: row.email,
    method: row.method as SessionInfo['method'],
    idpId: row.idp_id,
    userAgent: row.user_agent,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    idleExpiresAt: isoTime(idleEndMs(deps, row)),
  };
}

/** Deletes sessions that ended more than KEEP_ENDED_MS ago (job `signin.prune`). */
export async function pruneSessions(deps: SigninDeps): Promise<number> {
  return store.deleteEndedSessions(deps.store.db, isoTime(deps.clock.now() - KEEP_ENDED_MS));
}
