import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { sealContext, type LeaseDeps } from './deps.js';
import { leaseEvent } from './events.js';
import { leaseById, updateLease } from './store.js';
import type { Lease, RevocationData } from './types.js';
import { leaseFromRow } from './view.js';

/**
 * Extends a live lease by `incrementSeconds` from now, never past its max TTL (the answer says
 * how far it went). The engine moves the credential's own expiry first (VALID UNTIL), so the
 * second guard never ends a credential the lease still covers.
 */
export async function renewLease(deps: LeaseDeps, id: string, incrementSeconds: number, actor: Actor, mayTouch: (lease: Lease) => boolean): Promise<Lease> {
  if (!Number.isInteger(incrementSeconds) || incrementSeconds < 1) throw new ValidationError('increment must be a positive number of seconds', { field: 'increment' });
  const row = await leaseById(deps.store.db, id);
  if (!row || !mayTouch(leaseFromRow(row))) throw new NotFoundError('lease', id);
  const now = deps.clock.now();
  if (row.status !== 'active' || Date.parse(row.expires_at) <= now) throw new ConflictError(`lease '${id}' is ${row.status === 'active' ? 'expired' : row.status} and cannot be renewed`, { status: row.status });
  const expiresMs = Math.min(now + incrementSeconds * 1000, Date.parse(row.max_expires_at));
  const expiresAt = isoTime(expiresMs);
  const engine = deps.engines.get(row.engine);
  if (engine?.renew) await engine.renew(JSON.parse(deps.envelope.decryptText(row.revocation, sealContext(id))) as RevocationData, expiresAt);
  await deps.audit.withEntry(async (trx) => {
    const updated = await updateLease(trx, id, { expires_at: expiresAt, next_attempt_at: expiresAt }, 'active');
    if (!updated) throw new ConflictError(`lease '${id}' was revoked while renewing`);
    return { result: null, events: [leaseEvent('lease.renewed', 'renew', actor, row, { expires_at: expiresAt, capped: expiresMs < now + incrementSeconds * 1000 })] };
  });
  return leaseFromRow({ ...row, expires_at: expiresAt, next_attempt_at: expiresAt });
}
