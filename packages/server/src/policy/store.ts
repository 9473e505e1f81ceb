import { createHash } from 'node:crypto';
import { parseJSON, RObject, toJSON } from '@mandate/rego';
import { isoTime, type Clock } from '../shared/clock.js';
import type { Executor, Store } from '../storage/index.js';
import type { PolicyRevisionRow } from './tables.js';
import { policyTables } from './tables.js';

/** The complete policy state after one change. */
export interface PolicyState {
  revision: number;
  author: string;
  createdAt: string;
  change: string;
  /** Module id → Rego text. */
  modules: Record<string, string>;
  /**
   * The base data document as the engine's value: numbers exact (a 30-digit integer or a long
   * decimal stays as written, as in OPA). Stored as its JSON text (@mandate/rego's toJSON).
   */
  data: RObject;
  modulesHash: string;
}

/** A revision as listed (without the texts). */
export interface RevisionSummary {
  revision: number;
  author: string;
  createdAt: string;
  change: string;
  modulesHash: string;
  modules: string[];
}

/** SHA-256 hex over every (id, text) pair in id order: equal module sets hash equal on any replica. */
export function modulesHash(modules: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const id of Object.keys(modules).sort()) {
    hash.update(`${Buffer.byteLength(id)}:${id}`);
    hash.update(`${Buffer.byteLength(modules[id]!)}:${modules[id]!}`);
  }
  return hash.digest('hex');
}

/** The stored data text, parsed exactly (revisions written before exact storage parse the same way). */
function dataOf(text: string): RObject {
  const data = parseJSON(text);
  return data instanceof RObject ? data : new RObject();
}

function toState(row: PolicyRevisionRow): PolicyState {
  return {
    revision: Number(row.revision),
    author: row.author,
    createdAt: row.created_at,
    change: row.change,
    modules: JSON.parse(row.modules) as Record<string, string>,
    data: dataOf(row.data),
    modulesHash: row.modules_hash,
  };
}

/**
 * Reads and appends policy revisions (tables.ts). The highest revision is the active state;
 * nothing is ever updated in place, so every earlier state stays available for rollback.
 */
export class PolicyStore {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** The newest revision number, 0 when none exists (one cheap indexed read: the replica check). */
  async head(db: Executor = this.store.db): Promise<number> {
    const row = await policyTables(db).selectFrom('policy_revisions').select((eb) => eb.fn.max('revision').as('head')).executeTakeFirst();
    return Number(row?.head ?? 0);
  }

  async latest(db: Executor = this.store.db): Promise<PolicyState | null> {
    const row = await policyTables(db).selectFrom('policy_revisions').selectAll().orderBy('revision', 'desc').limit(1).executeTakeFirst();
    return row ? toState(row) : null;
  }

  async get(revision: number, db: Executor = this.store.db): Promise<PolicyState | null> {
    const row = await policyTables(db).selectFrom('policy_revisions').selectAll().where('revision', '=', revision).executeTakeFirst();
    return row ? toState(row) : null;
  }

  /** Newest first. */
  async list(limit = 100): Promise<RevisionSummary[]> {
    const rows = await policyTables(this.store.db).selectFrom('policy_revisions').selectAll().orderBy('revision', 'desc').limit(limit).execute();
    return rows.map((row) => ({
      revision: Number(row.revision),
      author: row.author,
      createdAt: row.created_at,
      change: row.change,
      modulesHash: row.modules_hash,
      modules: Object.keys(JSON.parse(row.modules) as Record<string, string>).sort(),
    }));
  }

  /**
   * Appends the next revision. The revision number is the primary key, so of two writers that
   * read the same head only one inserts; the other gets a unique violation and retries.
   */
  async append(
    db: Executor,
    previous: number,
    next: { author: string; change: string; modules: Record<string, string>; data: RObject },
  ): Promise<PolicyState> {
    const row: PolicyRevisionRow = {
      revision: previous + 1,
      author: next.author,
      created_at: isoTime(this.clock.now()),
      change: next.change,
      modules: JSON.stringify(next.modules),
      data: toJSON(next.data),
      modules_hash: modulesHash(next.modules),
    };
    await policyTables(db).insertInto('policy_revisions').values(row).execute();
    return toState(row);
  }
}
