import type { AuditEvent } from '../audit/index.js';
import type { RevokedCredential } from '../shared/revoked.js';
import type { Tx } from '../storage/index.js';

export type TaskStatus = 'open' | 'completed' | 'expired' | 'cancelled';

export interface Task {
  id: string;
  agentId: string;
  description: string | null;
  status: TaskStatus;
  createdAt: string;
  expiresAt: string;
  closedAt: string | null;
}

/** What a task's end took back, and its audit events (committed with the close). */
export interface TaskCloseContribution {
  events: AuditEvent[];
  revoked: RevokedCredential[];
}

/**
 * How another context takes back what it issued for a task (tokens, certificates), inside
 * the close's transaction. Leases are the tasks context's own concern (it calls the lease
 * manager); this port is for the rest, plugged in by the composition root.
 */
export type TaskCloseHook = (trx: Tx, task: Task) => Promise<TaskCloseContribution>;

export interface ClosedTask {
  task: Task;
  revoked: RevokedCredential[];
}
