import type { Actor, AuditEvent } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { RevokedCredential } from '../shared/revoked.js';
import type { Tx } from '../storage/index.js';
import { closeTask, closeTaskIn } from './close.js';
import { SWEEP_BATCH, SYSTEM, type TaskDeps } from './deps.js';
import { openTask } from './open.js';
import { expiredOpen, openTasksOf, taskById } from './store.js';
import type { ClosedTask, Task, TaskCloseHook } from './types.js';
import { taskFromRow } from './view.js';

/** Tasks: open, complete, expire; what was issued with a task's id ends with it. */
export class TaskService {
  private readonly deps: TaskDeps;

  constructor(options: Omit<TaskDeps, 'closeHooks'>) {
    this.deps = { ...options, closeHooks: new Set() };
  }

  /** Plugs in another context's revocation for a task's end (tokens, certificates); returns the unsubscribe. */
  onClose(hook: TaskCloseHook): () => void {
    this.deps.closeHooks.add(hook);
    return () => this.deps.closeHooks.delete(hook);
  }

  open(agentId: string, options: { ttlSeconds?: number | undefined; description?: string | undefined }, actor: Actor): Promise<Task> {
    return openTask(this.deps, agentId, options, actor);
  }

  async find(id: string): Promise<Task | null> {
    const row = await taskById(this.deps.store.db, id);
    return row ? taskFromRow(row) : null;
  }

  /** The agent's open tasks, the oldest first (at most MAX_OPEN_PER_AGENT, deps.ts). */
  async openOf(agentId: string): Promise<Task[]> {
    const rows = await openTasksOf(this.deps.store.db, agentId);
    return rows.map(taskFromRow).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Completes a task; 404 unless it exists and `mayTouch` it. */
  async complete(id: string, actor: Actor, mayTouch: (task: Task) => boolean = () => true): Promise<ClosedTask> {
    const row = await taskById(this.deps.store.db, id);
    if (!row || !mayTouch(taskFromRow(row))) throw new NotFoundError('task', id);
    return closeTask(this.deps, row, 'completed', actor);
  }

  /** Throws a 400 naming the problem unless `taskId` is an open task of `agentId` (credentials may be issued for it). */
  async checkOpen(taskId: string, agentId: string | null): Promise<void> {
    const row = await taskById(this.deps.store.db, taskId);
    if (!row || (agentId !== null && row.agent_id !== agentId)) throw new ValidationError(`task_id '${taskId}' is not a task of this agent`, { field: 'task_id' });
    if (row.status !== 'open' || Date.parse(row.expires_at) <= this.deps.clock.now()) throw new ValidationError(`task '${taskId}' is ${row.status === 'open' ? 'expired' : row.status}: open a new one`, { field: 'task_id' });
  }

  /** Decommission: the agent's open tasks are cancelled inside its transaction (their leases are marked with them). */
  async cancelForAgentIn(trx: Tx, agentId: string, actor: Actor): Promise<{ events: AuditEvent[]; leaseIds: string[]; revoked: RevokedCredential[] }> {
    const out = { events: [] as AuditEvent[], leaseIds: [] as string[], revoked: [] as RevokedCredential[] };
    for (const row of await openTasksOf(trx, agentId)) {
      const closed = await closeTaskIn(this.deps, trx, row, 'cancelled', actor);
      out.events.push(...closed.events);
      out.leaseIds.push(...closed.leaseIds);
      out.revoked.push({ kind: 'task', id: row.id }, ...closed.revoked);
    }
    return out;
  }

  /** The `tasks.expiry` job's run: open tasks past their expiry close as `expired`. */
  async sweepExpired(): Promise<number> {
    const rows = await expiredOpen(this.deps.store.db, isoTime(this.deps.clock.now()), SWEEP_BATCH);
    let closed = 0;
    for (const row of rows) {
      try {
        await closeTask(this.deps, row, 'expired', SYSTEM);
        closed += 1;
      } catch {
        // Completed by its agent meanwhile (409): nothing left to do.
      }
    }
    return closed;
  }
}
