import { describe, expect, it } from 'vitest';
import { addCount, advance, BASELINE_SLOTS, baselineOf, judge, resetBaseline } from './baseline.js';

const window = { bucketMs: 1000, alpha: 0.2, warmupBuckets: 3 };

function fresh(): Float64Array {
  const state = new Float64Array(BASELINE_SLOTS);
  resetBaseline(state, 0);
  return state;
}

describe('windowed EWMA baseline', () => {
  it('folds a gap of empty buckets in one step exactly as bucket by bucket', () => {
    const stepwise = fresh();
    const jump = fresh();
    for (const state of [stepwise, jump]) {
      advance(state, 0, window, 0);
      addCount(state, 0, 10);
    }
    for (let t = 1; t <= 7; t += 1) advance(stepwise, 0, window, t * 1000);
    advance(jump, 0, window, 7000);
    expect(baselineOf(jump, 0).mean).toBeCloseTo(baselineOf(stepwise, 0).mean, 12);
    expect(baselineOf(jump, 0).deviation).toBeCloseTo(baselineOf(stepwise, 0).deviation, 12);
    expect(baselineOf(jump, 0).buckets).toBe(7);
  });

  it('learns a steady count and alerts only on a spike, once per bucket, after warm-up', () => {
    const state = fresh();
    const threshold = { zScore: 4, minCount: 5 };
    for (let t = 0; t < 2; t += 1) {
      advance(state, 0, window, t * 1000);
      addCount(state, 0, 50);
      expect(judge(state, 0, window, threshold)).toBeNull(); // warming up
    }
    for (let t = 2; t < 40; t += 1) {
      advance(state, 0, window, t * 1000);
      addCount(state, 0, 4 + (t % 3));
      expect(judge(state, 0, window, threshold)).toBeNull();
    }
    advance(state, 0, window, 40_000);
    addCount(state, 0, 40);
    const judged = judge(state, 0, window, threshold);
    expect(judged?.observed).toBe(40);
    expect(judged!.mean).toBeGreaterThan(4);
    expect(judged!.mean).toBeLessThan(7);
  });
});
