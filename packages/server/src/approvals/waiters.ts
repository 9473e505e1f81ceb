/**
 * In-process wake-ups for long-polls: `GET /v1/approvals/{id}?wait=N` parks on `wait` and
 * whoever changes the request (decide, consume, expire) calls `notify(id)`.
 *
 * Several replicas on one PostgreSQL cannot reach each other's waiters, so there the wait
 * also re-checks the row every `pollMs` (the `check` callback); SQLite lives in one process and
 * needs no polling.
 */
export interface WaitOptions {
  /** Longest wait. */
  timeoutMs: number;
  /** Ends the wait early (the client went away). */
  signal?: AbortSignal | undefined;
  /** When set, `check()` is called this often; the wait ends when it resolves true. */
  pollMs?: number | undefined;
  check?: (() => Promise<boolean>) | undefined;
}

export type WaitEnd = 'notified' | 'changed' | 'timeout' | 'aborted';

export class Waiters {
  private readonly parked = new Map<string, Set<() => void>>();

  /** How many waits are parked (all ids), e.g. to see that closed sockets released theirs. */
  get size(): number {
    let total = 0;
    for (const set of this.parked.values()) total += set.size;
    return total;
  }

  notify(id: string): void {
    const set = this.parked.get(id);
    if (!set) return;
    this.parked.delete(id);
    for (const wake of set) wake();
  }

  /** Wakes every parked wait (shutdown: answer them now rather than hold the close). */
  notifyAll(): void {
    for (const id of [...this.parked.keys()]) this.notify(id);
  }

  wait(id: string, options: WaitOptions): Promise<WaitEnd> {
    if (options.signal?.aborted) return Promise.resolve('aborted');
    return new Promise<WaitEnd>((resolve) => {
      let done = false;
      let pollTimer: NodeJS.Timeout | undefined;
      const finish = (end: WaitEnd) => {
        if (done) return;
        done = true;
        clearTimeout(timeout);
        if (pollTimer) clearTimeout(pollTimer);
        options.signal?.removeEventListener('abort', onAbort);
        const set = this.parked.get(id);
        set?.delete(wake);
        if (set?.size === 0) this.parked.delete(id);
        resolve(end);
      };
      const wake = () => finish('notified');
      const onAbort = () => finish('aborted');
      const timeout = setTimeout(() => finish('timeout'), options.timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      let set = this.parked.get(id);
      if (!set) this.parked.set(id, (set = new Set()));
      set.add(wake);
      const { pollMs, check } = options;
      if (pollMs && check) {
        const poll = () => {
          pollTimer = setTimeout(() => {
            check().then(
              (changed) => (changed ? finish('changed') : done ? undefined : poll()),
              () => (done ? undefined : poll()),
            );
          }, pollMs);
        };
        poll();
      }
    });
  }
}
