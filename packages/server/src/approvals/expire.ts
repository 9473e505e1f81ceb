import { isoTime } from '../shared/clock.js';
import { changeRow } from './change.js';
import { SYSTEM, type ApprovalDeps } from './deps.js';
import { EXPIRABLE } from './states.js';
import { overdueRows } from './store.js';
import type { ApprovalRow } from './tables.js';

/**
 * Expiry. A request's status reads `expired` as soon as the clock passes its `expires_at`
 * (rows.ts); this records it in the row, and audits it once: lazily, by the decide or consume
 * that finds it overdue, and by the sweep (the scheduler's `approvals.expiry` job).
 */

/**
 * Marks a request expired (and audits it) when its time has passed and it is still pending
 * or approved. Conditional, so with several replicas exactly one records the expiry.
 */
export async function persistExpiry(deps: ApprovalDeps, row: ApprovalRow): Promise<boolean> {
  const at = isoTime(deps.clock.now());
  const changed = await changeRow(
    deps,
    row,
    { status: 'expired' },
    { status: EXPIRABLE, version: row.version, expiry: { due: at } },
    { type: 'approval.expired', actor: SYSTEM, action: 'expire', details: { was: row.status, expires_at: row.expires_at } },
  );
  if (changed) deps.waiters.notify(row.id);
  return changed;
}

/** Marks every overdue pending/approved request expired (up to `batch`); returns how many it changed. */
export async function sweepExpired(deps: ApprovalDeps, batch = 500): Promise<number> {
  const rows = await overdueRows(deps.db, isoTime(deps.clock.now()), batch);
  let changed = 0;
  for (const row of rows) if (await persistExpiry(deps, row)) changed += 1;
  return changed;
}
