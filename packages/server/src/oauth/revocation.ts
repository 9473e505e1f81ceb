import type { CompiledQuery } from 'kysely';
import type { AuditLog } from '../audit/index.js';
import type { Actor, AuditEvent } from '../audit/index.js';
import { Scheduler, type DeadlineHandle } from '../scheduler/index.js';
import { epochSeconds, isoTime, type Clock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { CHANGE_TOPICS, type ChangeNotifier, type Store, type Tx } from '../storage/index.js';
import type { RevocationEventRow } from './tables.js';
import { oauthTables } from './tables.js';

/** One entry of the revocation feed, exactly as docs/oauth.md "Revocation feed" describes it. */
export type RevocationEvent = { kind: 'token'; jti: string; exp: number } | { kind: 'agent'; agent_id: string; client_id: string | null; not_before: number };

export interface FeedPage {
  events: RevocationEvent[];
  cursor: string;
  has_more: boolean;
}

/** What a token must show for the revocation check: the claims that tie it to agents. */
export interface RevocableToken {
  jti: string;
  iat: number;
  sub: string;
  client_id?: string | undefined;
  act?: { sub?: unknown; act?: unknown } | undefined;
  /** A delegated token's chain: revoking any token above it revokes it too (cascade). */
  delegation?: { parents?: unknown } | undefined;
}

export interface RevocationsOptions {
  store: Store;
  audit: AuditLog;
  clock: Clock;
  /** Longest access token lifetime + clock skew (seconds): how long an agent mark matters. */
  retainAgentMarksSeconds: number;
  /** How often a waiting long-poll re-reads the database for other replicas' events. */
  pollIntervalMs?: number;
  /**
   * Runs the head watcher (`oauth.revocation-watch`). The runtime passes the one scheduler;
   * a Revocations built alone (a test, a tool) gets a quiet one of its own.
   */
  scheduler?: Scheduler;
  /**
   * Tells other replicas of each feed event (topic `revocation`, id its seq) in the event's own
   * transaction, and wakes this replica's waiting long-polls on theirs at once instead of at
   * the next head poll (docs/replicas.md).
   */
  notifier?: ChangeNotifier;
}

function toEvent(row: RevocationEventRow): RevocationEvent {
  return row.kind === 'token'
    ? { kind: 'token', jti: row.jti!, exp: Number(row.at) }
    : { kind: 'agent', agent_id: row.agent_id!, client_id: row.client_id, not_before: Number(row.at) };
}

/** Every agent id a token concerns: its subject and each actor in its (nested) act chain. */
function agentsOf(token: RevocableToken): string[] {
  const ids = [token.sub];
  let act = token.act;
  for (let depth = 0; act && depth < 16; depth += 1) {
    if (typeof act.sub === 'string') ids.push(act.sub);
    act = act.act as RevocableToken['act'];
  }
  return ids;
}

/** The token's jti and its delegation parents' (bounded): a revoked parent revokes its whole subtree. */
function tokenAndParents(token: RevocableToken): string[] {
  const parents = token.delegation?.parents;
  const ids = Array.isArray(parents) ? parents.filter((p): p is string => typeof p === 'string').slice(0, 16) : [];
  return [token.jti, ...ids];
}

/**
 * Revocation state and its feed. Revoked jtis and per-agent "not before" marks are rows
 * (kept until they stop mattering), so every replica's introspection sees them at once.
 * Each change also appends to the feed under the head row's lock, which makes sequence order
 * equal commit order: a reader that has seen seq N has seen everything before N.
 */
export class Revocations {
  /** Waiting long-polls and the cursor each waits beyond. */
  private readonly waiters = new Map<() => void, number>();
  private readonly pollIntervalMs: number;
  private readonly watcher: DeadlineHandle;
  /** The head read on every decision and every agent call on /v1 (identity): compiled once. */
  private readonly headQuery: CompiledQuery<{ seq: number }>;

  constructor(private readonly options: RevocationsOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.headQuery = oauthTables(options.store.db).selectFrom('oauth_revocation_head').select('seq').where('id', '=', 1).compile();
    const scheduler = options.scheduler ?? new Scheduler({ clock: options.clock, logger: createLogger('silent') });
    this.watcher = scheduler.deadline({ name: 'oauth.revocation-watch', run: () => this.watchOnce() });
    // Waiters re-read the feed when woken, so a notice and the catch-up both just wake them.
    options.notifier?.subscribe(CHANGE_TOPICS.revocation, { onNotice: () => this.wake(), resync: () => this.wake() });
  }

  /** Reads the feed head under its row lock (PostgreSQL; SQLite transactions are serial). */
  private async lockHead(trx: Tx): Promise<number> {
    let head = oauthTables(trx).selectFrom('oauth_revocation_head').select('seq').where('id', '=', 1);
    if (this.options.store.dialect === 'postgres') head = head.forUpdate();
    return Number((await head.executeTakeFirstOrThrow()).seq);
  }

  private async appendEvent(trx: Tx, event: Omit<RevocationEventRow, 'seq' | 'created_at'>): Promise<number> {
    const seq = (await this.lockHead(trx)) + 1;
    await oauthTables(trx).insertInto('oauth_revocation_events').values({ ...event, seq, created_at: isoTime(this.options.clock.now()) }).execute();
    await oauthTables(trx).updateTable('oauth_revocation_head').set({ seq }).where('id', '=', 1).execute();
    await this.options.notifier?.publish(trx, CHANGE_TOPICS.revocation, seq);
    return seq;
  }

  private wake(): void {
    for (const waiter of [...this.waiters.keys()]) waiter();
  }

  /** Revokes one token (idempotent). `exp` is the token's own expiry, epoch seconds. */
  async revokeToken(token: { jti: string; exp: number; agentId: string | null; clientId?: string | null }, actor: Actor, reason: string): Promise<boolean> {
    const created = await this.options.audit.withEntry(async (trx) => {
      // Locked first, so two concurrent revocations of one jti cannot both insert it.
      await this.lockHead(trx);
      const exists = await oauthTables(trx).selectFrom('oauth_revoked_tokens').select('jti').where('jti', '=', token.jti).executeTakeFirst();
      if (exists) return { result: false, events: [] };
      await oauthTables(trx).insertInto('oauth_revoked_tokens').values({ jti: token.jti, agent_id: token.agentId, exp: token.exp, revoked_at: isoTime(this.options.clock.now()) }).execute();
      await this.appendEvent(trx, { kind: 'token', jti: token.jti, agent_id: token.agentId, client_id: token.clientId ?? null, at: token.exp, retain_until: token.exp });
      const event: AuditEvent = {
        type: 'oauth.token.revoked',
        actor,
        action: 'revoke',
        outcome: 'success',
        details: { jti: token.jti, exp: token.exp, reason },
        ...(token.agentId ? { subject: token.agentId, agentId: token.agentId } : {}),
      };
      return { result: true, events: [event] };
    });
    if (created) this.wake();
    return created;
  }

  /**
   * Revokes every token of an agent issued at or before `notBefore` (epoch seconds); marks only
   * move forward. Every call is audited, also when the mark is already at or past `notBefore`
   * (two status changes in the same second): the entry then names the mark in force and says
   * it did not move, so each step out of `active` leaves the same trail on every store however
   * fast the steps came. Only a moved mark is published on the feed.
   */
  async revokeAgent(agentId: string, clientId: string | null, notBefore: number, actor: Actor, reason: string): Promise<void> {
    const moved = await this.options.audit.withEntry(async (trx) => {
      const { moved, events } = await this.revokeAgentIn(trx, agentId, clientId, notBefore, actor, reason);
      return { result: moved, events };
    });
    if (moved) this.wake();
  }

  /**
   * `revokeAgent` inside a transaction the caller owns (the registry's status change): writes
   * the mark and the feed event through `trx` and returns the audit events for the caller to
   * append in that same transaction. Locks the feed head row (PostgreSQL) until commit, so the
   * caller must not take it after the audit head; the caller wakes long-polls after commit
   * (`published`) when `moved`.
   */
  async revokeAgentIn(trx: Tx, agentId: string, clientId: string | null, notBefore: number, actor: Actor, reason: string): Promise<{ moved: boolean; events: AuditEvent[] }> {
    const { clock, retainAgentMarksSeconds } = this.options;
    // The head row's lock first: concurrent marks for one agent serialize here instead of
    // both reading "no mark" and colliding on the insert (PostgreSQL).
    await this.lockHead(trx);
    const current = await oauthTables(trx).selectFrom('oauth_agent_revocations').select('not_before').where('agent_id', '=', agentId).executeTakeFirst();
    const event = (effective: number, moved: boolean): AuditEvent => ({
      type: 'oauth.agent.tokens_revoked',
      actor,
      subject: agentId,
      agentId,
      action: 'revoke',
      outcome: 'success',
      details: { not_before: effective, reason, ...(moved ? {} : { mark_unchanged: true }) },
    });
    if (current && Number(current.not_before) >= notBefore) return { moved: false, events: [event(Number(current.not_before), false)] };
    const updatedAt = isoTime(clock.now());
    if (current) {
      await oauthTables(trx).updateTable('oauth_agent_revocations').set({ not_before: notBefore, client_id: clientId, updated_at: updatedAt }).where('agent_id', '=', agentId).execute();
    } else {
      await oauthTables(trx).insertInto('oauth_agent_revocations').values({ agent_id: agentId, client_id: clientId, not_before: notBefore, updated_at: updatedAt }).execute();
    }
    await this.appendEvent(trx, { kind: 'agent', jti: null, agent_id: agentId, client_id: clientId, at: notBefore, retain_until: notBefore + retainAgentMarksSeconds });
    return { moved: true, events: [event(notBefore, true)] };
  }

  /**
   * Revokes tokens by jti inside a transaction the caller owns (a task's end): each one not
   * yet revoked gets its row and a `token` event on the feed, so introspection, /v1, the
   * decision point and SDK verifiers all refuse it. Returns the jtis newly revoked and one
   * audit event naming them. Long-polls on this replica see the events within the watcher's
   * poll interval (or on `published()` after commit).
   */
  async revokeTokensIn(trx: Tx, tokens: Array<{ jti: string; exp: number; agentId: string | null; clientId: string | null }>, actor: Actor, reason: string): Promise<{ jtis: string[]; events: AuditEvent[] }> {
    await this.lockHead(trx);
    const jtis: string[] = [];
    for (const token of tokens) {
      const exists = await oauthTables(trx).selectFrom('oauth_revoked_tokens').select('jti').where('jti', '=', token.jti).executeTakeFirst();
      if (exists) continue;
      await oauthTables(trx).insertInto('oauth_revoked_tokens').values({ jti: token.jti, agent_id: token.agentId, exp: token.exp, revoked_at: isoTime(this.options.clock.now()) }).execute();
      await this.appendEvent(trx, { kind: 'token', jti: token.jti, agent_id: token.agentId, client_id: token.clientId, at: token.exp, retain_until: token.exp });
      jtis.push(token.jti);
    }
    if (jtis.length === 0) return { jtis, events: [] };
    // People's tokens (a refresh family) have no agent.
    const agents = [...new Set(tokens.flatMap((t) => (t.agentId === null ? [] : [t.agentId])))];
    const event: AuditEvent = { type: 'oauth.token.revoked', actor, action: 'revoke', outcome: 'success', details: { jtis, reason }, ...(agents.length === 1 ? { subject: agents[0]!, agentId: agents[0]! } : {}) };
    return { jtis, events: [event] };
  }

  /**
   * Takes the feed head's row lock in the caller's transaction (PostgreSQL): writes that must
   * be ordered against revocations (a task token's record against its task's close) meet here.
   */
  async lockFeed(trx: Tx): Promise<void> {
    await this.lockHead(trx);
  }

  /** Wakes this replica's waiting long-polls after a caller-owned transaction with feed events commits. */
  published(): void {
    this.wake();
  }

  /** Why a token is revoked ('token' or 'agent'), or null when it is not. */
  async check(token: RevocableToken): Promise<'token' | 'agent' | null> {
    const db = this.options.store.db;
    const revoked = await oauthTables(db).selectFrom('oauth_revoked_tokens').select('jti').where('jti', 'in', tokenAndParents(token)).executeTakeFirst();
    if (revoked) return 'token';
    const agents = agentsOf(token);
    let marks = oauthTables(db).selectFrom('oauth_agent_revocations').select('not_before').where('agent_id', 'in', agents);
    if (token.client_id) marks = oauthTables(db).selectFrom('oauth_agent_revocations').select('not_before').where((eb) => eb.or([eb('agent_id', 'in', agents), eb('client_id', '=', token.client_id!)]));
    const rows = await marks.execute();
    return rows.some((r) => token.iat <= Number(r.not_before)) ? 'agent' : null;
  }

  /**
   * Events after `after` (0: from the start of retained history). The head is read first:
   * when nothing newer exists, the cursor moves up to it (only pruned events lay between),
   * and no event that commits meanwhile can be skipped.
   */
  async page(after: number, limit: number): Promise<FeedPage> {
    const head = await this.head();
    const rows = await oauthTables(this.options.store.db)
      .selectFrom('oauth_revocation_events')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit + 1)
      .execute();
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const last = shown.length > 0 ? Number(shown[shown.length - 1]!.seq) : Math.max(after, head);
    return { events: shown.map(toEvent), cursor: String(last), has_more: more };
  }

  /**
   * The long-poll: answers at once when events are waiting, else holds up to `waitMs` and
   * answers as soon as one arrives — at once for this replica's events, within the poll
   * interval for other replicas' (one watcher per replica reads the feed head for all
   * waiting requests). `signal` aborts the wait (client went away, shutdown). The wait's own
   * timeout is per request, not a scheduled job.
   */
  async wait(after: number, limit: number, waitMs: number, signal?: AbortSignal): Promise<FeedPage> {
    // Wall-clock I/O timing, not domain time: a monotonic timer, so an injected test clock
    // that does not move cannot hold a request forever.
    const started = performance.now();
    for (;;) {
      const page = await this.page(after, limit);
      const remaining = waitMs - (performance.now() - started);
      if (page.events.length > 0 || remaining <= 0 || signal?.aborted) return page;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, remaining);
        this.waiters.set(done, Number(page.cursor));
        signal?.addEventListener('abort', done);
        this.watch();
      });
    }
  }

  /**
   * While requests wait, the head is read every poll interval (real time, like the waits
   * themselves: a deadline, not a job on the injected clock) for other replicas' events; the
   * waiters behind it are woken. Stops re-arming once nobody waits.
   */
  private watch(): void {
    if (!this.watcher.armed) this.watcher.arm(this.pollIntervalMs);
  }

  private async watchOnce(): Promise<void> {
    if (this.waiters.size === 0) return;
    try {
      const head = await this.head();
      for (const [waiter, cursor] of [...this.waiters]) if (head > cursor) waiter();
    } finally {
      // A failed read (shown in GET /v1/jobs) is retried on the next tick; waiters still time out.
      if (this.waiters.size > 0) this.watch();
    }
  }

  /** Stops the head watcher and answers waiting long-polls (shutdown). */
  stop(): void {
    this.watcher.disarm();
    this.wake();
  }

  /** The current feed position. */
  async head(): Promise<number> {
    return Number((await this.options.store.db.executeQuery(this.headQuery)).rows[0]?.seq ?? 0);
  }

  /** Drops revocations and feed events that no longer matter (expired tokens, old marks). */
  async prune(): Promise<void> {
    const now = epochSeconds(this.options.clock.now());
    const db = this.options.store.db;
    await oauthTables(db).deleteFrom('oauth_revoked_tokens').where('exp', '<', now).execute();
    await oauthTables(db).deleteFrom('oauth_agent_revocations').where('not_before', '<', now - this.options.retainAgentMarksSeconds).execute();
    await oauthTables(db).deleteFrom('oauth_revocation_events').where('retain_until', '<', now).execute();
    await oauthTables(db).deleteFrom('oauth_task_tokens').where('exp', '<', now).execute();
  }
}
