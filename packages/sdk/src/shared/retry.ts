import type { Sleeper } from './clock.js';
import { NetworkError } from './errors.js';
import { OAuthError } from '../oauth/errors.js';

/** How a call is retried: bounded attempts, exponential backoff with full jitter. */
export interface RetryPolicy {
  /** Total attempts including the first (1 = no retry). */
  maxAttempts: number;
  /** Delay cap for the first retry; doubles each attempt. */
  baseDelayMs: number;
  /** Upper bound for any single delay. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  // Four attempts over at most ~0.2 + 0.4 + 0.8 s: enough to ride out a restart, short enough
  // that an agent's caller is not kept waiting on a server that is really down.
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

/** Network failures and 5xx answers may succeed later; 4xx answers never will (RFC 6749 errors are final). */
export function isRetryable(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  if (error instanceof OAuthError) return error.retryable;
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 500;
}

/** The delay before retry number `attempt` (1-based): uniform in [0, min(max, base·2^(attempt-1))). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export interface RetryDeps {
  sleep: Sleeper;
  random: () => number;
  signal?: AbortSignal;
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or the attempts run out. */
export async function withRetry<T>(policy: RetryPolicy, deps: RetryDeps, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= policy.maxAttempts || !isRetryable(error) || deps.signal?.aborted) throw error;
      await deps.sleep(backoffDelay(policy, n, deps.random), deps.signal);
    }
  }
}
