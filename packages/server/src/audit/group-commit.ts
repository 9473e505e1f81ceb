import type { DeadlineHandle } from '../scheduler/index.js';

/**
 * Group commit: callers hand in items one at a time; items that arrive while a batch is being
 * written, or within `maxDelayMs` of the first waiting item, are written together by one call
 * to `write` (one transaction). Each caller's promise settles when its own batch has
 * committed, so awaiting it still means "durable", at a fraction of the per-commit cost.
 *
 * The wait for company is a deadline armed once per batch (by the first item that finds none
 * armed), never a timer per item: this is the path of every audited decision. In the server the
 * deadline is the scheduler's (`audit.group-commit`, listed in GET /v1/jobs); a deadline that
 * cannot be armed — the scheduler has stopped (shutdown), or there is none — means no wait:
 * the batch is written at once.
 */
export interface GroupCommitOptions {
  /** Longest an item waits for company before its batch is written. */
  maxDelayMs: number;
  /** Largest batch; a full batch is written at once. */
  maxEntries: number;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/** What the committer needs of a deadline: the scheduler's DeadlineHandle. */
export type FlushDeadline = Pick<DeadlineHandle, 'arm' | 'disarm' | 'armed'>;

/** Makes the flush deadline, given what it must run when it expires (e.g. `(flush) => scheduler.deadline({name, run: flush})`). */
export type FlushDeadlineFactory = (flush: () => Promise<void>) => FlushDeadline;

/** A deadline that never arms: without a scheduler, batches are written without waiting. */
const NO_WAIT: FlushDeadline = { arm() {}, disarm() {}, armed: false };

export class ClosedError extends Error {
  constructor() {
    super('the audit writer is closed');
    this.name = 'ClosedError';
  }
}

export class GroupCommitter<T, R> {
  private pending: Array<Waiting<T, R>> = [];
  private inflight: Promise<void> | null = null;
  private closed = false;
  private readonly deadline: FlushDeadline;

  /**
   * `write` must return one result per item, in order, or throw for the whole batch.
   * `deadline` makes the timer a partial batch waits on; without one, nothing waits.
   */
  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
    deadline?: FlushDeadlineFactory,
  ) {
    // The deadline's run reports the batch it started, so its duration is the commit's.
    this.deadline = deadline ? deadline(() => this.startBatch()) : NO_WAIT;
  }

  enqueue(item: T): Promise<R> {
    if (this.closed) return Promise.reject(new ClosedError());
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.inflight) return; // the running batch starts the next one when it ends
      if (this.pending.length >= this.options.maxEntries) this.start();
      else if (!this.deadline.armed) this.waitForCompany();
    });
  }

  /** Arms the deadline for the batch now forming; writes at once when it cannot be armed. */
  private waitForCompany(): void {
    this.deadline.arm(this.options.maxDelayMs);
    if (!this.deadline.armed) this.start();
  }

  /** Writes everything waiting and returns when it has committed (or failed). */
  async flush(): Promise<void> {
    while (this.inflight || this.pending.length > 0) {
      if (!this.inflight) this.start();
      await this.inflight;
    }
  }

  /** Refuses new items and drains the queue (on shutdown, before the store closes). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private startBatch(): Promise<void> {
    this.start();
    return this.inflight ?? Promise.resolve();
  }

  private start(): void {
    if (this.deadline.armed) this.deadline.disarm();
    if (this.inflight || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.options.maxEntries);
    this.inflight = this.commit(batch).finally(() => {
      this.inflight = null;
      // Whatever queued up while this batch was writing has waited long enough already.
      if (this.pending.length > 0) this.start();
    });
  }

  private async commit(batch: Array<Waiting<T, R>>): Promise<void> {
    try {
      const results = await this.write(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // One bad item must not sink its neighbours: retry each alone, so only it fails.
      for (const waiting of batch) {
        try {
          const [result] = await this.write([waiting.item]);
          waiting.resolve(result!);
        } catch (single) {
          waiting.reject(single);
        }
      }
    }
  }
}
