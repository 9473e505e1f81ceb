import { isoTime } from '../shared/clock.js';
import { SWEEP_BATCH, SWEEP_CONCURRENCY, type LeaseDeps } from './deps.js';
import { attemptRevocation } from './revoke.js';
import { dueLeases } from './store.js';

/**
 * The expiry loop's one run (job `leases.expiry`): every unrevoked lease that is due — active
 * past its expiry, or revoking with its retry due — gets one revocation attempt. Leases live in
 * the database, so a restarted process finds what the dead one left (the "restored timers" of
 * Vault's expiration manager are this query). Returns how many were revoked.
 */
export async function sweepDue(deps: LeaseDeps): Promise<number> {
  const due = await dueLeases(deps.store.db, isoTime(deps.clock.now()), SWEEP_BATCH);
  let revoked = 0;
  for (let i = 0; i < due.length; i += SWEEP_CONCURRENCY) {
    const results = await Promise.all(due.slice(i, i + SWEEP_CONCURRENCY).map((row) => attemptRevocation(deps, row)));
    revoked += results.filter(Boolean).length;
  }
  return revoked;
}
