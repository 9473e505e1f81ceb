/**
 * A token bucket per key (the token endpoint keeps two: issuance per authenticated client, and
 * failed authentications per presented client_id + source address): `perMinute` requests a
 * minute with bursts up to the same number. Time is passed in. Per replica: N replicas
 * allow up to N × the limit, which is fine for an abuse brake.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly ratePerMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 100_000,
  ) {
    this.ratePerMs = perMinute / 60_000;
  }

  /** Takes one token for `key`; returns 0 when allowed, else the seconds until one is available. */
  take(key: string, now: number): number {
    const bucket = this.refilled(key, now, true)!;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return this.waitFor(bucket);
  }

  /** Like take() without taking: 0 when a token is available, else the seconds until one is. */
  peek(key: string, now: number): number {
    const bucket = this.refilled(key, now, false);
    return !bucket || bucket.tokens >= 1 ? 0 : this.waitFor(bucket);
  }

  private refilled(key: string, now: number, create: boolean): { tokens: number; at: number } | undefined {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (!create) return undefined;
      if (this.buckets.size >= this.maxKeys) this.evictFull(now);
      bucket = { tokens: this.perMinute, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, now - bucket.at) * this.ratePerMs);
      bucket.at = now;
    }
    return bucket;
  }

  private waitFor(bucket: { tokens: number }): number {
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerMs / 1000));
  }

  /** Drops buckets that have refilled completely: they hold no information. */
  private evictFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.ratePerMs >= this.perMinute) this.buckets.delete(key);
    }
    if (this.buckets.size >= this.maxKeys) this.buckets.clear();
  }
}
