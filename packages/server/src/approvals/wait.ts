import type { DeadlineHandle, Scheduler } from '../scheduler/index.js';
import { isoTime } from '../shared/clock.js';
import type { ApprovalDeps } from './deps.js';
import { get } from './read.js';
import { settledIds } from './store.js';
import type { Approval } from './types.js';

/**
 * Agents waiting for a human: the long-poll behind `GET /v1/approvals/{id}?wait=N`, and the
 * poller that lets a replica see decisions taken on another one.
 */

/** Parked ids read per query by the replica poller. */
const POLL_BATCH = 500;

/**
 * Long-poll: resolves as soon as the request is no longer pending, when `seconds` (capped by
 * `approvals.maxWaitSeconds`) or the request's own expiry run out, or when `signal` aborts
 * (the client went away). Returns the request as it then is. Changes made in this process wake
 * it through `deps.waiters`; `poller`, when given, finds those made by other replicas.
 */
export async function wait(deps: ApprovalDeps, poller: ParkedPoller | undefined, id: string, seconds: number, signal?: AbortSignal): Promise<Approval> {
  const capped = Math.max(0, Math.min(seconds, deps.settings.maxWaitSeconds));
  if (capped === 0) return get(deps, id);
  // Park before reading, so that a decision between the read and the park is not missed.
  const release = new AbortController();
  const onAbort = () => release.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const parked = deps.waiters.wait(id, { timeoutMs: capped * 1000, signal: release.signal });
    poller?.start();
    const current = await get(deps, id).catch((error: unknown) => {
      release.abort();
      throw error;
    });
    if (current.status !== 'pending' || signal?.aborted) {
      release.abort();
      await parked;
      return current;
    }
    // Wake at the expiry too, if it comes before the wait's end. A timer of this one request,
    // like the wait's own timeout (waiters.ts), not a job of the scheduler.
    const untilExpiry = Date.parse(current.expiresAt) - deps.clock.now();
    const expiryTimer = untilExpiry < capped * 1000 ? setTimeout(() => release.abort(), Math.max(0, untilExpiry)) : undefined;
    await parked;
    if (expiryTimer) clearTimeout(expiryTimer);
    return get(deps, id);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * With several replicas (PostgreSQL), a decision made elsewhere cannot call our `notify`. One
 * poller per replica (the scheduler's `approvals.parked-poll`, on every replica, not a
 * singleton: each wakes its own waits) reads every parked id in one query each
 * `pollIntervalMs` and wakes those no longer pending: the cost grows with time, not with the
 * number of waiting agents.
 *
 * It is a deadline re-armed after each round rather than a periodic job: the interval is a
 * real-time latency bound for waiting clients (like the waits' own timeouts), not domain time,
 * so it must pass while a test holds the injected clock still; and it runs only while waits
 * are parked. A failed round (e.g. the database briefly away) shows as the job's last error
 * and is retried on the next; waits still end by their own timeout.
 */
export class ParkedPoller {
  static readonly JOB = 'approvals.parked-poll';
  private readonly deadline: DeadlineHandle;
  private polling = false;

  constructor(
    private readonly deps: ApprovalDeps,
    scheduler: Scheduler,
  ) {
    this.deadline = scheduler.deadline({ name: ParkedPoller.JOB, run: () => this.poll() });
  }

  /** A wait was parked: starts the rounds unless they are running. */
  start(): void {
    if (!this.polling && !this.deadline.armed) this.deadline.arm(this.deps.settings.pollIntervalMs);
  }

  /** Stops the rounds (shutdown; parked waits are released by their owner). */
  stop(): void {
    this.deadline.disarm();
  }

  private async poll(): Promise<void> {
    const { db, clock, waiters, settings } = this.deps;
    const ids = waiters.ids();
    if (ids.length === 0) return; // nobody waits: no next round until a wait parks
    this.polling = true;
    try {
      const now = isoTime(clock.now());
      for (let i = 0; i < ids.length; i += POLL_BATCH) {
        for (const settled of await settledIds(db, ids.slice(i, i + POLL_BATCH), now)) waiters.notify(settled);
      }
    } finally {
      this.polling = false;
      if (waiters.ids().length > 0) this.deadline.arm(settings.pollIntervalMs);
    }
  }
}
