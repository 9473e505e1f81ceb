import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './rate-limit.js';

describe('TokenBuckets', () => {
  it('allows the burst, then refuses with the wait, then refills with time', () => {
    const buckets = new TokenBuckets(60);
    const t = 1_000_000;
    for (let i = 0; i < 60; i += 1) expect(buckets.take('a', t)).toBe(0);
    expect(buckets.take('a', t)).toBe(1);
    expect(buckets.take('b', t)).toBe(0);
    expect(buckets.take('a', t + 1_000)).toBe(0);
    expect(buckets.take('a', t + 1_000)).toBeGreaterThan(0);
  });
});
