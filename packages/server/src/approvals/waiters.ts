/**
 * In-process wake-ups for long-polls: `GET /v1/approvals/{id}?wait=N` parks on `wait` and
 * whoever changes the request (decide, consume, expire) calls `notify(id)`. Changes made by
 * other replicas are found by the service's poller, which reads the parked ids (`ids()`).
 */
export interface WaitOptions {
  /** Longest wait. */
  timeoutMs: number;
  /** Ends the wait early (the client went away). */
  signal?: AbortSignal | undefined;
}

export type WaitEnd = 'notified' | 'timeout' | 'aborted';

export class Waiters {
  private readonly parked = new Map<string, Set<() => void>>();

  /** How many waits are parked (all ids), e.g. to see that closed sockets released theirs. */
  get size(): number {
    let total = 0;
    for (const set of this.parked.values()) total += set.size;
    return total;
  }

  /** The ids that have at least one parked wait. */
  ids(): string[] {
    return [...this.parked.keys()];
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
      const finish = (end: WaitEnd) => {
        if (done) return;
        done = true;
        clearTimeout(timeout);
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
    });
  }
}
