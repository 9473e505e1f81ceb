import type { Updateable } from 'kysely';
import type { AuditEvent } from '../audit/index.js';
import type { ApprovalDeps } from './deps.js';
import { updateRow, type RowGuard } from './store.js';
import type { ApprovalRow } from './tables.js';
import type { RecordAlongside } from './types.js';

/**
 * Changes the row (bumping its version) and records the successful `event` about it, in one
 * transaction, if the row still matches `guard`: false, with nothing recorded, when another
 * caller or replica changed it first (`alongside`'s entries too: they are recorded only with the
 * change, before its own entry). Every status move (decide, consume, expire) goes through
 * here, so each happens once and never without its audit entry.
 */
export async function changeRow(
  deps: Pick<ApprovalDeps, 'audit'>,
  row: ApprovalRow,
  set: Updateable<ApprovalRow>,
  guard: RowGuard,
  event: Pick<AuditEvent, 'type' | 'actor' | 'action' | 'details'>,
  alongside?: RecordAlongside,
): Promise<boolean> {
  return deps.audit.withEntry(async (trx) => {
    if (!(await updateRow(trx, row, set, guard))) return { result: false, events: [] as AuditEvent[] };
    return { result: true, events: [...((await alongside?.(row.id, trx)) ?? []), { ...event, subject: row.id, agentId: row.agent_id, outcome: 'success' as const }] };
  });
}
