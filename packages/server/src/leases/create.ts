import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { RateLimitedError, ValidationError } from '../shared/errors.js';
import { randomId } from '../shared/ids.js';
import { sealContext, type LeaseDeps } from './deps.js';
import { leaseEvent } from './events.js';
import { countLive, insertLease } from './store.js';
import type { LeaseRow } from './tables.js';
import type { Lease, NewLease } from './types.js';
import { leaseFromRow } from './view.js';

export class TooManyLeasesError extends RateLimitedError {
  constructor(limit: number) {
    super(60);
    this.message = `this agent already holds ${limit} live leases (secrets.maxLeasesPerAgent); revoke some or wait for them to expire`;
  }
}

/**
 * Records a lease before its credential exists (the engine creates it after): a crash between
 * the two leaves a lease whose revocation finds nothing to drop, never a credential without a
 * lease. The issuing engine revokes the lease when creation fails (audited, like any revocation).
 */
export async function createLease(deps: LeaseDeps, spec: NewLease, actor: Actor): Promise<Lease> {
  if (!deps.engines.has(spec.engine)) throw new Error(`no lease engine '${spec.engine}' is registered`);
  if (!(spec.ttlSeconds > 0) || spec.ttlSeconds > spec.maxTtlSeconds) throw new ValidationError(`ttl must be 1-${spec.maxTtlSeconds} seconds`, { field: 'ttl' });
  if (spec.agentId && (await countLive(deps.store.db, spec.agentId)) >= deps.settings.maxLeasesPerAgent) throw new TooManyLeasesError(deps.settings.maxLeasesPerAgent);
  const now = deps.clock.now();
  const id = randomId('lease');
  const expiresAt = isoTime(now + spec.ttlSeconds * 1000);
  const row: LeaseRow = {
    id,
    engine: spec.engine,
    path: spec.path,
    agent_id: spec.agentId,
    task_id: spec.taskId,
    revocation: deps.envelope.encrypt(JSON.stringify(spec.revocation), sealContext(id)),
    issued_at: isoTime(now),
    expires_at: expiresAt,
    max_expires_at: isoTime(now + spec.maxTtlSeconds * 1000),
    status: 'active',
    next_attempt_at: expiresAt,
    attempts: 0,
    last_error: null,
    revoked_at: null,
    revoke_reason: null,
  };
  await deps.audit.withEntry(async (trx) => {
    await insertLease(trx, row);
    return { result: null, events: [leaseEvent('lease.created', 'create', actor, row, { engine: spec.engine, expires_at: expiresAt, ttl: spec.ttlSeconds })] };
  });
  return leaseFromRow(row);
}
