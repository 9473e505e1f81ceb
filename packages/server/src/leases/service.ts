import type { Actor, AuditEvent } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { NotFoundError } from '../shared/errors.js';
import type { Executor } from '../storage/index.js';
import { createLease } from './create.js';
import { SYSTEM, type LeaseDeps, type LeaseManagerOptions } from './deps.js';
import { leaseEvent } from './events.js';
import { renewLease } from './renew.js';
import { attemptRevocation, revokeNow } from './revoke.js';
import { countLive, leaseById, markRevoking, selectLeases, UNREVOKED, type LeaseSelector } from './store.js';
import { sweepDue } from './sweep.js';
import type { Lease, LeaseEngine, LeaseStatus, NewLease, RevocationFailingListener } from './types.js';
import { leaseFromRow } from './view.js';

/** Leases marked for revocation inside someone else's transaction, to revoke once it commits. */
export interface MarkedLeases {
  ids: string[];
  events: AuditEvent[];
}

/**
 * THE lease manager (STYLE.md §9, Vault's expiration manager): engines register how to revoke
 * (`registerEngine`) and create leases through it; it persists them with what revocation needs,
 * revokes at expiry (`sweep`, run by the scheduler), retries with backoff, raises `revocation
 * failing` when it keeps failing, renews within the max TTL, and revokes by id, agent, task or
 * path prefix. Each operation is one use case in its own file.
 */
export class LeaseManager {
  private readonly deps: LeaseDeps;

  constructor(options: LeaseManagerOptions) {
    this.deps = { ...options, engines: new Map(), failingListeners: new Set(), inFlight: new Set() };
  }

  registerEngine(name: string, engine: LeaseEngine): void {
    if (this.deps.engines.has(name)) throw new Error(`lease engine '${name}' is already registered`);
    this.deps.engines.set(name, engine);
  }

  /** Subscribes to `revocation failing` (raised once per lease when failures reach the threshold); returns the unsubscribe. */
  onRevocationFailing(listener: RevocationFailingListener): () => void {
    this.deps.failingListeners.add(listener);
    return () => this.deps.failingListeners.delete(listener);
  }

  create(spec: NewLease, actor: Actor): Promise<Lease> {
    return createLease(this.deps, spec, actor);
  }

  async find(id: string): Promise<Lease | null> {
    const row = await leaseById(this.deps.store.db, id);
    return row ? leaseFromRow(row) : null;
  }

  /** How many leases are live (the `leases live` gauge of /metrics). */
  countLive(): Promise<number> {
    return countLive(this.deps.store.db);
  }

  async list(selector: LeaseSelector, statuses: readonly LeaseStatus[] = UNREVOKED, limit = 1_000): Promise<Lease[]> {
    return (await selectLeases(this.deps.store.db, selector, statuses, limit)).map(leaseFromRow);
  }

  renew(id: string, incrementSeconds: number, actor: Actor, mayTouch: (lease: Lease) => boolean = () => true): Promise<Lease> {
    return renewLease(this.deps, id, incrementSeconds, actor, mayTouch);
  }

  /**
   * Revokes the selected live leases now (by id, agent, task or path prefix). Each is marked
   * `revoking` first, so one whose revocation fails is retried by the sweep; the answer lists
   * every lease taken up and which of them are already revoked.
   */
  async revoke(selector: LeaseSelector, reason: string, actor: Actor): Promise<{ marked: string[]; revoked: string[] }> {
    const marked = await this.deps.audit.withEntry(async (trx) => {
      const marked = await this.markIn(trx, selector, reason, actor);
      return { result: marked.ids, events: marked.events };
    });
    // Leases already being revoked (a failing revocation) are retried now as well.
    const retrying = (await selectLeases(this.deps.store.db, selector, ['revoking'], 100_000)).map((row) => row.id).filter((id) => !marked.includes(id));
    const all = [...marked, ...retrying];
    return { marked: all, revoked: await revokeNow(this.deps, all, actor) };
  }

  /** 404 unless the lease exists and `mayTouch` it; then revokes it now (see revoke). */
  async revokeOne(id: string, actor: Actor, mayTouch: (lease: Lease) => boolean = () => true): Promise<Lease> {
    const lease = await this.find(id);
    if (!lease || !mayTouch(lease)) throw new NotFoundError('lease', id);
    await this.revoke({ id }, 'revoked', actor);
    return (await this.find(id))!;
  }

  /**
   * Marks the selected live leases `revoking`, due now, inside the caller's transaction (the
   * agent's decommission, a task's end): they are revoked once it commits (`revokeMarked`), or
   * by the next sweep if this process dies first.
   */
  async markIn(trx: Executor, selector: LeaseSelector, reason: string, actor: Actor = SYSTEM): Promise<MarkedLeases> {
    const rows = await selectLeases(trx, selector, ['active'], 100_000);
    const ids = await markRevoking(trx, selector, isoTime(this.deps.clock.now()), reason);
    const events = rows.filter((row) => ids.includes(row.id)).map((row) => leaseEvent('lease.revocation_requested', 'revoke', actor, row, { reason }));
    return { ids, events };
  }

  /** Revokes leases marked by `markIn` after their transaction committed; returns those revoked now. */
  revokeMarked(ids: readonly string[], actor: Actor = SYSTEM): Promise<string[]> {
    return revokeNow(this.deps, ids, actor);
  }

  /** One run of the expiry loop (job `leases.expiry`). */
  sweep(): Promise<number> {
    return sweepDue(this.deps);
  }

  /** One attempt at one lease, due or not (tests, the CLI's retry). */
  async attempt(id: string): Promise<boolean> {
    const row = await leaseById(this.deps.store.db, id);
    return row ? attemptRevocation(this.deps, row) : false;
  }
}
