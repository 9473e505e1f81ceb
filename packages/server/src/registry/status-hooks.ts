import type { AuditEvent } from '../audit/index.js';
import type { Tx } from '../storage/index.js';
import type { StatusChange, StatusChangeListener, StatusChangeTxListener, StatusContribution } from './types.js';

/** How a transition announces itself: in its transaction, then after it commits. */
export interface StatusChangeAnnouncer {
  inTransaction(trx: Tx, change: StatusChange): Promise<StatusContribution>;
  afterCommit(change: StatusChange): Promise<void>;
}

/**
 * Who hears of status changes, twice over:
 *
 * | hook | runs | use for |
 * |---|---|---|
 * | `onStatusChangeInTransaction` | inside the transition's transaction | durable consequences (revocation marks, feed events): all or nothing with the change |
 * | `onStatusChange` | after commit | in-memory work (cache eviction, waking long-polls); a failure never undoes the change |
 */
export class StatusChangeHooks implements StatusChangeAnnouncer {
  private readonly listeners = new Set<StatusChangeListener>();
  private readonly txListeners = new Set<StatusChangeTxListener>();

  /** `onListenerError` hears failures of after-commit listeners (they never undo the change). */
  constructor(private readonly onListenerError?: (error: unknown, change: StatusChange) => void) {}

  /** Subscribes to committed status changes; returns the unsubscribe function. */
  onStatusChange(listener: StatusChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Subscribes inside the change's transaction (types.ts StatusChangeTxListener); returns the unsubscribe function. */
  onStatusChangeInTransaction(listener: StatusChangeTxListener): () => void {
    this.txListeners.add(listener);
    return () => this.txListeners.delete(listener);
  }

  /** Runs the in-transaction listeners in subscription order; their errors propagate (rollback). */
  async inTransaction(trx: Tx, change: StatusChange): Promise<StatusContribution> {
    const events: AuditEvent[] = [];
    const revoked: StatusContribution['revoked'] = [];
    for (const listener of [...this.txListeners]) {
      const answer = (await listener(trx, change)) ?? [];
      // A listener answers with bare events, or with its events and what it revoked.
      if (Array.isArray(answer)) events.push(...answer);
      else {
        events.push(...answer.events);
        revoked.push(...answer.revoked);
      }
    }
    return { events, revoked };
  }

  /** Runs the after-commit listeners; each failure goes to `onListenerError` and the rest still run. */
  async afterCommit(change: StatusChange): Promise<void> {
    for (const listener of [...this.listeners]) {
      try {
        await listener(change);
      } catch (error) {
        this.onListenerError?.(error, change);
      }
    }
  }
}
