import type { Actor, AuditEvent, AuditOutcome } from '../audit/index.js';
import type { LeaseRow } from './tables.js';

/** One audit event about a lease: its id, path, agent and task; never the credential. */
export function leaseEvent(type: string, action: string, actor: Actor, row: Pick<LeaseRow, 'id' | 'path' | 'agent_id' | 'task_id'>, details: Record<string, unknown> = {}, outcome: AuditOutcome = 'success'): AuditEvent {
  return {
    type,
    actor,
    subject: row.id,
    ...(row.agent_id ? { agentId: row.agent_id } : {}),
    action,
    outcome,
    details: { lease_id: row.id, path: row.path, ...(row.task_id ? { task_id: row.task_id } : {}), ...details },
  };
}
