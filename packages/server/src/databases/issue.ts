import type { Actor } from '../audit/index.js';
import type { RevocationData } from '../leases/index.js';
import { isoTime } from '../shared/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { rootUrl } from './connection.js';
import { newPassword, newUsername } from './credentials.js';
import { ENGINE, SYSTEM, type DatabaseDeps } from './deps.js';
import { databaseLeaseEngine } from './engine.js';
import { TargetDatabaseError } from './errors.js';
import { roleByName } from './store.js';
import { DEFAULT_REVOCATION, render } from './templates.js';

export interface CredentialRequest {
  connection: string;
  role: string;
  /** The agent the credentials are for (null: an operator's own). */
  agentId: string | null;
  taskId?: string | undefined;
  /** Requested lifetime; default the role's (60 s), at most its max TTL. */
  ttlSeconds?: number | undefined;
}

export interface IssuedCredentials {
  username: string;
  password: string;
  leaseId: string;
  ttl: number;
  expiresAt: string;
}

/** The lease ended while its role was being created: nothing is issued. */
export class LeaseEndedError extends ConflictError {
  constructor(leaseId: string) {
    super(`lease ${leaseId} was revoked while its credentials were created (the agent's credentials or its task ended meanwhile); nothing was issued`);
  }
}

/**
 * Checked once the role exists: a task close, suspension or revocation that committed after the
 * lease was recorded may have revoked it before the role was created (its revocation found
 * nothing to drop), and one that committed before the lease was recorded never saw it. Either
 * way the role is dropped now and the request refused, so no credential outlives its task, its
 * agent's standing or its lease.
 */
async function endedMeanwhile(deps: DatabaseDeps, request: CredentialRequest, leaseId: string, revocation: RevocationData): Promise<void> {
  let refusal: Error | null = null;
  try {
    if (request.agentId !== null) await deps.checkAgent(request.agentId);
    if (request.taskId !== undefined) await deps.checkTask(request.taskId, request.agentId);
  } catch (error) {
    refusal = error as Error;
  }
  const lease = await deps.leases.find(leaseId);
  if (lease?.status === 'active' && refusal === null) return;
  if (lease?.status === 'active') await deps.leases.revoke({ id: leaseId }, 'ended meanwhile', SYSTEM).catch(() => undefined);
  await databaseLeaseEngine(deps).revoke(revocation);
  throw refusal ?? new LeaseEndedError(leaseId);
}

/**
 * Issues fresh database credentials under a lease. The lease is written first, holding what
 * revocation needs (connection, user name, rendered revocation statements); then the role is
 * created in one transaction on the target, with `VALID UNTIL` the lease's expiry as a second
 * guard. If creation fails, the lease is revoked (a role the target created after all is
 * dropped); if the process dies in between, the lease's revocation finds no role, which is not
 * an error. A lease or task that ended meanwhile takes the new role with it (endedMeanwhile).
 */
export async function issueCredentials(deps: DatabaseDeps, request: CredentialRequest, actor: Actor): Promise<IssuedCredentials> {
  const role = await roleByName(deps.store.db, request.connection, request.role);
  if (!role) throw new NotFoundError('database role', `${request.connection}/${request.role}`);
  const ttl = request.ttlSeconds ?? role.default_ttl;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > role.max_ttl) throw new ValidationError(`ttl must be 1-${role.max_ttl} seconds (the role's max_ttl)`, { field: 'ttl' });
  if (request.taskId !== undefined) await deps.checkTask(request.taskId, request.agentId);
  const { url } = await rootUrl(deps, request.connection);
  const username = newUsername(request.role);
  const password = newPassword();
  const revocation = (role.revocation_statements ? (JSON.parse(role.revocation_statements) as string[]) : DEFAULT_REVOCATION).map((s) => render(s, { name: username }));
  const lease = await deps.leases.create(
    {
      engine: ENGINE,
      path: `db/${request.connection}/creds/${request.role}`,
      agentId: request.agentId,
      taskId: request.taskId ?? null,
      ttlSeconds: ttl,
      maxTtlSeconds: role.max_ttl,
      revocation: { connection: request.connection, username, statements: revocation },
    },
    actor,
  );
  const expiration = lease.expiresAt;
  const creation = (JSON.parse(role.creation_statements) as string[]).map((s) => render(s, { name: username, password, expiration }));
  try {
    await deps.targets.exclusive(request.connection, () => deps.targets.inTransaction(request.connection, url, creation));
  } catch (error) {
    // The answer may have been lost after the target committed: the lease is revoked (audited,
    // retried by the sweep), which drops the role if it exists and finds nothing otherwise.
    await deps.leases.revoke({ id: lease.id }, 'creation failed', SYSTEM).catch(() => undefined);
    throw new TargetDatabaseError(request.connection, error);
  }
  await endedMeanwhile(deps, request, lease.id, { connection: request.connection, username, statements: revocation });
  await deps.audit.append({
    type: 'db.credentials.issued',
    actor,
    subject: lease.id,
    ...(request.agentId ? { agentId: request.agentId } : {}),
    action: 'issue',
    outcome: 'success',
    details: { connection: request.connection, role: request.role, username, lease_id: lease.id, ttl, expires_at: expiration, ...(request.taskId ? { task_id: request.taskId } : {}) },
  });
  return { username, password, leaseId: lease.id, ttl, expiresAt: isoTime(Date.parse(expiration)) };
}
