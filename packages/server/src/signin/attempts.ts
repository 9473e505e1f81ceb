/**
 * Failed sign-ins per key (the source address) in fixed one-minute windows: beyond `perMinute`
 * the next attempt is refused before any credential is checked. Per replica, in memory: an
 * abuse brake, not an account lock (a stranger can only lock out their own address). At most
 * `maxKeys` addresses are tracked; past that, windows that ended are dropped first.
 */
export class FailedAttempts {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** 0 when `key` may try now, else the seconds until its window ends. */
  retryAfter(key: string, now: number): number {
    const window = this.windows.get(key);
    if (!window || now - window.start >= 60_000 || window.count < this.perMinute) return 0;
    return Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000));
  }

  fail(key: string, now: number): void {
    const window = this.windows.get(key);
    if (window && now - window.start < 60_000) {
      window.count += 1;
      return;
    }
    if (!window && this.windows.size >= this.maxKeys) this.dropEnded(now);
    this.windows.set(key, { start: now, count: 1 });
  }

  private dropEnded(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= 60_000) this.windows.delete(key);
    if (this.windows.size >= this.maxKeys) this.windows.clear();
  }
}
