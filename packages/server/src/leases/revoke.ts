import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ERROR_MAX, sealContext, SWEEP_CONCURRENCY, SYSTEM, type LeaseDeps } from './deps.js';
import { leaseEvent } from './events.js';
import { leaseById, updateLease } from './store.js';
import type { LeaseRow } from './tables.js';
import type { RevocationData, RevocationFailing } from './types.js';

/** Backoff after `attempts` failures: base · 2^(attempts-1), capped. */
export function backoffMs(settings: LeaseDeps['settings'], attempts: number): number {
  return Math.min(settings.revocationBackoffMs * 2 ** Math.min(attempts - 1, 30), settings.revocationBackoffMaxMs);
}

/**
 * One revocation attempt of a due lease. Success: the lease is `revoked` with its audit entry.
 * Failure: it stays `revoking`, due again after the backoff; when failures reach
 * `revocationAlertAfterFailures`, the `revocation failing` event is raised once (listeners,
 * error log, audit entry), and retries go on. Returns whether the lease is now revoked.
 */
export async function attemptRevocation(deps: LeaseDeps, row: LeaseRow, actor: Actor = SYSTEM): Promise<boolean> {
  if (deps.inFlight.has(row.id)) return false;
  deps.inFlight.add(row.id);
  try {
    const reason = row.revoke_reason ?? 'expired';
    try {
      const engine = deps.engines.get(row.engine);
      if (!engine) throw new Error(`no lease engine '${row.engine}' is registered`);
      await engine.revoke(JSON.parse(deps.envelope.decryptText(row.revocation, sealContext(row.id))) as RevocationData);
    } catch (error) {
      await recordFailure(deps, row, reason, error);
      return false;
    }
    const at = isoTime(deps.clock.now());
    await deps.audit.withEntry(async (trx) => {
      await updateLease(trx, row.id, { status: 'revoked', revoked_at: at, revoke_reason: reason, last_error: null, attempts: row.attempts + 1 });
      return { result: null, events: [leaseEvent('lease.revoked', 'revoke', actor, row, { reason, attempts: row.attempts + 1 })] };
    });
    return true;
  } finally {
    deps.inFlight.delete(row.id);
  }
}

/**
 * Records a failed attempt. The increment and, when it is the one that reaches
 * `revocationAlertAfterFailures`, the `lease.revocation_failing` entry commit in one
 * transaction: should the entry fail (or the process die), the count rolls back with it and the
 * next failure reaches the threshold again, so the alert is never skipped. "Reaches" is read
 * from the stored count (locked) before and after this increment: raised once, by the failure
 * that crosses it. Listeners and the error log run only after the commit.
 */
async function recordFailure(deps: LeaseDeps, row: LeaseRow, reason: string, error: unknown): Promise<void> {
  const now = deps.clock.now();
  const message = (error instanceof Error ? error.message : String(error)).slice(0, ERROR_MAX);
  const threshold = deps.settings.revocationAlertAfterFailures;
  const recorded = await deps.audit.withEntry<{ attempts: number; failing: RevocationFailing | null } | null>(async (trx) => {
    const stored = await leaseById(trx, row.id, deps.store.dialect);
    // Revoked meanwhile (another replica's attempt succeeded): nothing to record.
    if (!stored || stored.status === 'revoked') return { result: null, events: [] };
    const attempts = stored.attempts + 1;
    await updateLease(trx, row.id, { status: 'revoking', attempts, last_error: message, next_attempt_at: isoTime(now + backoffMs(deps.settings, attempts)), revoke_reason: reason });
    if (!(stored.attempts < threshold && attempts >= threshold)) return { result: { attempts, failing: null }, events: [] };
    const failing: RevocationFailing = { leaseId: row.id, engine: row.engine, path: row.path, agentId: row.agent_id, attempts, error: message, at: isoTime(now) };
    return { result: { attempts, failing }, events: [leaseEvent('lease.revocation_failing', 'revoke', SYSTEM, row, { attempts, error: message }, 'failure')] };
  });
  if (!recorded) return;
  const { attempts, failing } = recorded;
  deps.logger.warn({ lease_id: row.id, engine: row.engine, attempts, err: message }, 'lease revocation failed; retrying with backoff');
  if (!failing) return;
  deps.logger.error({ lease_id: row.id, path: row.path, attempts, err: message }, 'revocation failing: a lease could not be revoked and is still being retried');
  for (const listener of deps.failingListeners) {
    try {
      listener(failing);
    } catch (listenerError) {
      deps.logger.error({ err: listenerError }, 'revocation-failing listener failed');
    }
  }
}

/** Revokes the given (already marked) leases now, side by side; returns the ids revoked. */
export async function revokeNow(deps: LeaseDeps, ids: readonly string[], actor: Actor): Promise<string[]> {
  const revoked: string[] = [];
  // A few at a time, as the sweep does: a revoke-by-prefix of thousands must not open thousands of attempts at once.
  for (let i = 0; i < ids.length; i += SWEEP_CONCURRENCY) {
    const rows = (await Promise.all(ids.slice(i, i + SWEEP_CONCURRENCY).map((id) => leaseById(deps.store.db, id)))).filter((row): row is LeaseRow => row?.status === 'revoking');
    const results = await Promise.all(rows.map(async (row) => ((await attemptRevocation(deps, row, actor)) ? row.id : null)));
    revoked.push(...results.filter((id): id is string => id !== null));
  }
  return revoked;
}
