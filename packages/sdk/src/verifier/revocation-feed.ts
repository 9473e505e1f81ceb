import { epochSeconds, type Clock, type Sleeper } from '../shared/clock.js';
import { MandateSdkError } from '../shared/errors.js';
import { basicAuthorization, readJson, send, type FetchLike } from '../shared/http.js';
import { backoffDelay, type RetryPolicy } from '../shared/retry.js';
import { oauthErrorFrom } from '../oauth/errors.js';
import { parseEvent, RevocationState, type RevocableClaims, type RevocationReason } from './revocation-state.js';

/** How the resource server authenticates to the feed (docs/oauth.md "Revocation feed"). */
export type FeedCredentials =
  | { clientId: string; clientSecret: string }
  /** An operator token with `tokens:introspect`, or a function returning a current bearer token. */
  | { token: string | (() => string | Promise<string>) };

export interface RevocationFeedOptions {
  endpoint: () => Promise<string>;
  credentials: FeedCredentials;
  fetch: FetchLike;
  clock: Clock;
  sleep: Sleeper;
  random: () => number;
  /** Long-poll `wait` (seconds, the server caps at 30). */
  waitSeconds: number;
  /** How long the feed may be unreachable before verification fails closed. */
  toleranceMs: number;
  /** Back-off between failed polls. */
  backoff: RetryPolicy;
  maxTokenLifetimeSeconds: number;
  skewSeconds: number;
  /** Events per page. */
  limit?: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class FeedUnavailableError extends MandateSdkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_FEED_UNAVAILABLE', message, options);
  }
}

/**
 * Follows the revocation feed in the background: first the whole retained history (wait=0
 * until has_more is false), then long-polls, forever, until `close()`. Verification asks
 * `check()`, which is synchronous; `usable()` says whether the state may be trusted now.
 */
export class RevocationFeed {
  readonly state: RevocationState;
  private cursor: string | undefined;
  private synced = false;
  private failingSince: number | undefined;
  private lastError: unknown;
  private closed = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private waiters: Waiter[] = [];
  private listeners = new Set<(events: number) => void>();

  constructor(private readonly options: RevocationFeedOptions) {
    this.state = new RevocationState(options.maxTokenLifetimeSeconds, options.skewSeconds);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Whether the state can be trusted now: synced, and not failing for longer than the tolerance. */
  usable(): boolean {
    if (!this.synced) return false;
    return this.failingSince === undefined || this.options.clock.now() - this.failingSince < this.options.toleranceMs;
  }

  /** Resolves once usable; rejects when the feed has been unreachable beyond the tolerance. */
  ready(): Promise<void> {
    this.start();
    if (this.usable()) return Promise.resolve();
    if (this.closed) return Promise.reject(new FeedUnavailableError('the revocation feed was closed'));
    if (this.beyondTolerance()) return Promise.reject(this.unavailable());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  check(claims: RevocableClaims): RevocationReason | undefined {
    return this.state.check(claims);
  }

  /** Calls `listener(n)` after each applied page (n events); returns an unsubscribe function. For tests and metrics. */
  onApplied(listener: (events: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): { synced: boolean; cursor: string | undefined; failingSince: number | undefined; lastError: unknown } {
    return { synced: this.synced, cursor: this.cursor, failingSince: this.failingSince, lastError: this.lastError };
  }

  /** Stops the loop: aborts the long-poll in flight and waits for the loop to end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort(new FeedUnavailableError('the revocation feed was closed'));
    this.settle(new FeedUnavailableError('the revocation feed was closed'));
    await this.loop;
  }

  private beyondTolerance(): boolean {
    return this.failingSince !== undefined && this.options.clock.now() - this.failingSince >= this.options.toleranceMs;
  }

  private unavailable(): FeedUnavailableError {
    const reason = this.lastError instanceof Error ? this.lastError.message : 'unreachable';
    return new FeedUnavailableError(`the revocation feed has been failing for over ${this.options.toleranceMs} ms (${reason})`, { cause: this.lastError });
  }

  private settle(error?: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) (error ? waiter.reject(error) : waiter.resolve());
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        // Catch up without waiting; long-poll only once the whole history is applied.
        const page = await this.poll(this.synced ? this.options.waitSeconds : 0);
        for (const raw of page.events) {
          const event = parseEvent(raw);
          if (event) this.state.apply(event);
        }
        this.cursor = page.cursor;
        this.state.prune(epochSeconds(this.options.clock.now()));
        this.failingSince = undefined;
        this.lastError = undefined;
        failures = 0;
        if (!page.hasMore) this.synced = true;
        for (const listener of this.listeners) listener(page.events.length);
        if (this.usable()) this.settle();
      } catch (error) {
        if (this.closed) break;
        this.lastError = error;
        this.failingSince ??= this.options.clock.now();
        failures++;
        if (this.beyondTolerance()) this.settle(this.unavailable());
        try {
          await this.options.sleep(backoffDelayFloor(this.options.backoff, failures, this.options.random), this.abort.signal);
        } catch {
          break;
        }
      }
    }
  }

  private async poll(wait: number): Promise<{ events: unknown[]; cursor: string | undefined; hasMore: boolean }> {
    const url = new URL(await this.options.endpoint());
    if (this.cursor !== undefined) url.searchParams.set('after', this.cursor);
    if (wait > 0) url.searchParams.set('wait', String(wait));
    if (this.options.limit !== undefined) url.searchParams.set('limit', String(this.options.limit));
    const headers: Record<string, string> = { accept: 'application/json', authorization: await this.authorization() };
    // A long-poll that outlives its wait by 10 s is a hung connection, not a quiet feed.
    const timeout = AbortSignal.timeout((wait + 10) * 1000);
    const signal = AbortSignal.any([this.abort.signal, timeout]);
    const response = await send(this.options.fetch, url.toString(), { headers, signal });
    const body = await readJson(response);
    if (!response.ok) throw oauthErrorFrom(response.status, body);
    const record = (body ?? {}) as Record<string, unknown>;
    if (!Array.isArray(record.events)) throw new FeedUnavailableError(`the revocation feed answered without events (HTTP ${response.status})`);
    const cursor = typeof record.cursor === 'string' ? record.cursor : typeof record.cursor === 'number' ? String(record.cursor) : this.cursor;
    return { events: record.events, cursor, hasMore: record.has_more === true };
  }

  private authorization(): Promise<string> {
    return feedAuthorization(this.options.credentials);
  }
}

/** The Authorization header for the feed and introspection: Basic for a resource server, Bearer for a token. */
export async function feedAuthorization(credentials: FeedCredentials): Promise<string> {
  if ('clientId' in credentials) return basicAuthorization(credentials.clientId, credentials.clientSecret);
  const token = typeof credentials.token === 'function' ? await credentials.token() : credentials.token;
  return `Bearer ${token}`;
}

/** Back-off with a floor of half the ceiling, so a failing feed is retried neither in a tight loop nor too late. */
function backoffDelayFloor(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + backoffDelay({ ...policy, maxDelayMs: ceiling / 2, baseDelayMs: ceiling / 2 }, 1, random);
}
