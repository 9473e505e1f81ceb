/**
 * Group commit: callers hand in items one at a time; items that arrive while a batch is being
 * written, or within `maxDelayMs` of the first waiting item, are written together by one call
 * to `write` (one transaction). Each caller's promise settles when its own batch has
 * committed, so awaiting it still means "durable", at a fraction of the per-commit cost.
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

export class ClosedError extends Error {
  constructor() {
    super('the audit writer is closed');
    this.name = 'ClosedError';
  }
}

export class GroupCommitter<T, R> {
  private pending: Array<Waiting<T, R>> = [];
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  private closed = false;

  /** `write` must return one result per item, in order, or throw for the whole batch. */
  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  enqueue(item: T): Promise<R> {
    if (this.closed) return Promise.reject(new ClosedError());
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.inflight) return; // the running batch starts the next one when it ends
      if (this.pending.length >= this.options.maxEntries) this.start();
      else this.timer ??= setTimeout(() => this.start(), this.options.maxDelayMs);
    });
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

  private start(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
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
