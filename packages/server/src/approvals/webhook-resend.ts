import { isoTime } from '../shared/clock.js';
import type { ApprovalDeps, ApprovalNotifier } from './deps.js';
import { toApproval } from './rows.js';
import { markNotified, unnotifiedRows } from './store.js';

/** Besides a delivery's longest run, how long a request may wait before it counts as never delivered. */
const MARGIN_MS = 60_000;
/** Requests sent again per run: the next run takes the rest. */
const BATCH = 100;

/**
 * The job `approvals.webhook-resend`: a pending request whose webhook delivery never finished
 * (the process stopped during it: deliveries live in memory) is sent again once a delivery's
 * longest run has passed since it was made, so no human is left unaware of a request that waits
 * for them. `resending` holds the ids this process is sending again (a slow receiver must not get
 * a second copy from the next run). Returns how many were sent again.
 */
export async function resendUnnotified(deps: ApprovalDeps, notifier: ApprovalNotifier, resending: Set<string>): Promise<number> {
  const now = deps.clock.now();
  const before = isoTime(now - (notifier.longestDeliveryMs?.() ?? 0) - MARGIN_MS);
  const rows = (await unnotifiedRows(deps.db, before, isoTime(now), BATCH)).filter((row) => !resending.has(row.id));
  for (const row of rows) {
    resending.add(row.id);
    notifier.deliver(toApproval(row, now), async () => {
      await markNotified(deps.db, row.id, isoTime(deps.clock.now()));
      resending.delete(row.id);
    });
  }
  return rows.length;
}
