/**
 * One windowed baseline, kept in six numbers of a Float64Array (no object per window, so an
 * agent's whole state is one small typed array): the current bucket's index and count, the
 * exponentially weighted mean and variance of past buckets' counts, how many buckets have
 * been folded in, and the last bucket that raised an alert and at what level. Every operation is O(1): a gap
 * of empty buckets is folded in closed form, not bucket by bucket.
 */

export const BASELINE_SLOTS = 7;
const BUCKET = 0;
const COUNT = 1;
const MEAN = 2;
const VARIANCE = 3;
const FOLDED = 4;
const ALERTED = 5;
const ALERTED_LEVEL = 6;

export interface WindowShape {
  bucketMs: number;
  alpha: number;
  warmupBuckets: number;
}

/** Sets a fresh baseline: no bucket yet, nothing learnt. */
export function resetBaseline(state: Float64Array, at: number): void {
  state[at + BUCKET] = -1;
  state[at + COUNT] = 0;
  state[at + MEAN] = 0;
  state[at + VARIANCE] = 0;
  state[at + FOLDED] = 0;
  state[at + ALERTED] = -1;
  state[at + ALERTED_LEVEL] = -1;
}

/** One EWMA step (West's incremental form): mean and variance move toward `x` by `alpha`. */
function fold(state: Float64Array, at: number, x: number, alpha: number): void {
  const delta = x - state[at + MEAN]!;
  state[at + MEAN] = state[at + MEAN]! + alpha * delta;
  state[at + VARIANCE] = (1 - alpha) * (state[at + VARIANCE]! + alpha * delta * delta);
}

/**
 * `k` empty buckets in one step. With x = 0 each step multiplies the mean by (1 − α) and the
 * variance follows v' = (1 − α)(v + α m²); summed over k steps this is the closed form below.
 */
function foldZeros(state: Float64Array, at: number, k: number, alpha: number): void {
  if (k <= 0) return;
  const keep = 1 - alpha;
  const m = state[at + MEAN]!;
  const v = state[at + VARIANCE]!;
  const keepK = keep ** k;
  // v_k = keep^k v + α m² Σ_{i=1..k} keep^i keep^{2(k−i)}  (the mean after i−1 steps is m keep^{i−1})
  const sum = keepK * ((1 - keepK) / (1 - keep)); // Σ keep^{2k−i} for i = 1..k = keep^k Σ keep^{k−i}
  state[at + VARIANCE] = keepK * v + alpha * m * m * sum;
  state[at + MEAN] = m * keepK;
}

/** Moves the window to the bucket holding `nowMs`, folding the buckets that ended into the baseline. */
export function advance(state: Float64Array, at: number, window: WindowShape, nowMs: number): void {
  const bucket = Math.floor(nowMs / window.bucketMs);
  const current = state[at + BUCKET]!;
  if (current === -1) {
    state[at + BUCKET] = bucket;
    return;
  }
  if (bucket <= current) return; // the same bucket (or a clock that stepped back: count it here)
  fold(state, at, state[at + COUNT]!, window.alpha);
  const gap = bucket - current - 1;
  foldZeros(state, at, gap, window.alpha);
  state[at + FOLDED] = state[at + FOLDED]! + 1 + gap;
  state[at + COUNT] = 0;
  state[at + BUCKET] = bucket;
}

export function addCount(state: Float64Array, at: number, n: number): void {
  state[at + COUNT] = state[at + COUNT]! + n;
}

export interface Threshold {
  /** Standard deviations above the mean at which the window alerts. */
  zScore: number;
  /** Fewest events in the bucket that may alert (small counts are noise). */
  minCount: number;
}

export interface Judgement {
  observed: number;
  mean: number;
  deviation: number;
  z: number;
}

/**
 * The deviation used to judge: the learnt one, but never below √mean + 1. Counts of events
 * are roughly Poisson, whose spread is √mean; without the floor a perfectly regular agent
 * (variance 0) would alert on one event more than usual.
 */
export function judgingDeviation(mean: number, variance: number): number {
  return Math.max(Math.sqrt(variance), Math.sqrt(mean) + 1);
}

/**
 * The current bucket judged against the baseline, or null when it does not alert: the
 * window has not warmed up, or the count is under `minCount` or the z-score under the
 * threshold.
 */
export function judge(state: Float64Array, at: number, window: WindowShape, threshold: Threshold): Judgement | null {
  if (state[at + FOLDED]! < window.warmupBuckets) return null;
  const observed = state[at + COUNT]!;
  if (observed < threshold.minCount) return null;
  const mean = state[at + MEAN]!;
  const deviation = judgingDeviation(mean, state[at + VARIANCE]!);
  const z = (observed - mean) / deviation;
  if (z < threshold.zScore) return null;
  return { observed, mean, deviation: Math.sqrt(state[at + VARIANCE]!), z };
}

/**
 * Whether the current bucket may alert at `level` (a severity rank): once per bucket, and
 * again only when the level rises (a spike that keeps growing escalates once, not per event).
 * Remembers the level when it may.
 */
export function claimAlert(state: Float64Array, at: number, level: number): boolean {
  if (state[at + ALERTED] === state[at + BUCKET] && state[at + ALERTED_LEVEL]! >= level) return false;
  state[at + ALERTED] = state[at + BUCKET]!;
  state[at + ALERTED_LEVEL] = level;
  return true;
}

export function currentCount(state: Float64Array, at: number): number {
  return state[at + COUNT]!;
}

export function baselineOf(state: Float64Array, at: number): { mean: number; deviation: number; buckets: number } {
  return { mean: state[at + MEAN]!, deviation: Math.sqrt(state[at + VARIANCE]!), buckets: state[at + FOLDED]! };
}
