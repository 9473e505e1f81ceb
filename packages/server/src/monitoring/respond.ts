import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { IllegalTransitionError, NotFoundError, ValidationError } from '../shared/errors.js';
import { ALERT_ACTIONS, toAlert, type Alert, type AlertAction, type AlertStatus } from './alerts.js';
import type { MonitoringDeps } from './deps.js';
import { alertRow, updateAlert } from './store.js';

/** Longest note an operator may leave on an alert. */
export const NOTE_MAX_LENGTH = 2000;

/**
 * An operator acknowledges or resolves an alert (ALERT_ACTIONS), with an optional note, in
 * one transaction with its audit entry. The update names the statuses it may leave, so of
 * two operators racing, the second gets 409 rather than overwriting the first.
 */
export async function respondToAlert(deps: MonitoringDeps, id: string, action: AlertAction, actor: Actor & { kind: 'operator' }, note: string | null): Promise<Alert> {
  if (note !== null && note.length > NOTE_MAX_LENGTH) throw new ValidationError(`note is longer than ${NOTE_MAX_LENGTH} characters`, { field: 'note' });
  const spec = ALERT_ACTIONS[action];
  const at = isoTime(deps.clock.now());
  const set = spec.to === 'acknowledged' ? { acknowledged_at: at, acknowledged_by: actor.id } : { resolved_at: at, resolved_by: actor.id };
  return deps.audit.withEntry(async (trx) => {
    const row = await alertRow(trx, id);
    if (!row) throw new NotFoundError('alert', id);
    const from = spec.from as readonly AlertStatus[];
    if (!from.includes(row.status as AlertStatus) || !(await updateAlert(trx, id, from, { status: spec.to, ...set, ...(note !== null ? { note } : {}) }))) {
      const allowed = Object.values(ALERT_ACTIONS).filter((a) => (a.from as readonly string[]).includes(row.status)).map((a) => a.to);
      throw new IllegalTransitionError('alert', row.status, spec.to, allowed);
    }
    const updated = await alertRow(trx, id);
    return {
      result: toAlert(updated!),
      events: [{ type: spec.event, actor, subject: id, agentId: row.agent_id, action, outcome: 'success', details: { from: row.status, to: spec.to, ...(note !== null ? { note } : {}) } }],
    };
  });
}
