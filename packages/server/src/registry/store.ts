import { sql, type ExpressionBuilder } from 'kysely';
import { preparedLookup, uniquely, type Store, type Tx } from '../storage/index.js';
import { registryTables, type AgentRow, type GrantRequestRow, type RegistryTables } from './tables.js';
import type { AgentFilter } from './types.js';

/** Rows per multi-row INSERT of `insertMany`. */
const ROWS_PER_STATEMENT = 1_000;

/** First key of the two-key advisory lock space reserved for id generation ('REGI'). */
const ID_LOCK_NAMESPACE = 0x52454749;

/** One page of the agent list, in (created_at, id) order, as the SQL sees it. */
export interface AgentPageQuery {
  filter: AgentFilter;
  /** Only agents of this owner (an owner-scoped caller); undefined means every owner. */
  owner: string | undefined;
  /** A review basis (last review, else creation) before this ISO time is overdue. */
  reviewCutoff: string;
  /** The (created_at, id) of the previous page's last row, or null for the first page. */
  after: readonly [createdAt: string, id: string] | null;
  limit: number;
}

/** Escapes LIKE wildcards so user text matches literally (ESCAPE '\'). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The registry's SQL, and the only code that touches the `agents` table. Plain reads go to the
 * database; a change locks its row and writes in the caller's transaction (the one that also
 * appends the change's audit entry).
 */
export class AgentStore {
  /** The two reads every token request and stale agent cache entry makes: compiled once (storage/prepared.ts). */
  readonly byId: (id: string) => Promise<AgentRow | undefined>;
  readonly byClientId: (clientId: string) => Promise<AgentRow | undefined>;

  constructor(private readonly store: Store) {
    const agents = registryTables(store.db);
    this.byId = preparedLookup(store.db, (id) => agents.selectFrom('agents').selectAll().where('id', '=', id));
    this.byClientId = preparedLookup(store.db, (clientId) => agents.selectFrom('agents').selectAll().where('client_id', '=', clientId));
  }

  /** Reads the row for a change, locked on PostgreSQL so concurrent changes apply one after another. */
  lockById(trx: Tx, id: string): Promise<AgentRow | undefined> {
    let query = registryTables(trx).selectFrom('agents').selectAll().where('id', '=', id);
    if (this.store.dialect === 'postgres') query = query.forUpdate();
    return query.executeTakeFirst();
  }

  /** Inserts a new agent; a taken id or client id is a ConflictError (409). */
  async insert(trx: Tx, row: AgentRow): Promise<void> {
    await uniquely(() => registryTables(trx).insertInto('agents').values(row).execute(), `an agent with id '${row.id}' already exists`, { id: row.id });
  }

  /**
   * Inserts many new agents in multi-row statements (1,000 rows: 27 columns each stay under
   * SQLite's 32,766 bound parameters); a taken id is a ConflictError (409) for the whole call.
   */
  async insertMany(trx: Tx, rows: readonly AgentRow[]): Promise<void> {
    await uniquely(async () => {
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        await registryTables(trx).insertInto('agents').values(rows.slice(start, start + ROWS_PER_STATEMENT)).execute();
      }
    }, 'an agent with one of these ids already exists');
  }

  /** Sets columns of one agent; with `fromStatus`, only while the agent still has that status. */
  async update(trx: Tx, id: string, set: Partial<AgentRow>, fromStatus?: string): Promise<void> {
    let query = registryTables(trx).updateTable('agents').set(set).where('id', '=', id);
    if (fromStatus !== undefined) query = query.where('status', '=', fromStatus);
    await query.execute();
  }

  /**
   * The ids that start with `prefix`, for generating the next one. On PostgreSQL, registrations
   * with the same prefix take turns (until commit), so each reads the ids the previous one
   * committed instead of racing for the same number. SQLite has one writer anyway.
   */
  async idsWithPrefix(trx: Tx, prefix: string): Promise<string[]> {
    if (this.store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${ID_LOCK_NAMESPACE}, hashtext(${prefix}))`.execute(trx);
    // The prefix holds only [a-z0-9-], so it has no LIKE wildcards to escape.
    const rows = await registryTables(trx).selectFrom('agents').select('id').where('id', 'like', `${prefix}%`).execute();
    return rows.map((r) => r.id);
  }

  /** Up to `limit` rows matching the filter, after the cursor position. */
  page(q: AgentPageQuery): Promise<AgentRow[]> {
    const { filter } = q;
    let query = registryTables(this.store.db).selectFrom('agents').selectAll();
    if (q.owner !== undefined) query = query.where('owner', '=', q.owner);
    if (filter.status && filter.status.length > 0) query = query.where('status', 'in', filter.status);
    if (filter.owner !== undefined) query = query.where('owner', '=', filter.owner.toLowerCase());
    if (filter.environment !== undefined) query = query.where('environment', '=', filter.environment);
    if (filter.classification !== undefined) query = query.where('data_classification', '=', filter.classification);
    if (filter.scope !== undefined) {
      // Scopes cannot contain '"' or '\', so a scope's JSON form is exactly '"' + scope + '"'.
      const needle = JSON.stringify(filter.scope);
      query = query.where(this.store.dialect === 'postgres' ? sql<boolean>`strpos(scopes, ${needle}) > 0` : sql<boolean>`instr(scopes, ${needle}) > 0`);
    }
    if (filter.reviewOverdue !== undefined) {
      const basis = sql<string>`coalesce(last_reviewed_at, created_at)`;
      query = filter.reviewOverdue
        ? query.where('status', '!=', 'decommissioned').where(sql<boolean>`${basis} < ${q.reviewCutoff}`)
        : query.where((eb) => eb.or([eb('status', '=', 'decommissioned'), eb(basis, '>=', q.reviewCutoff)]));
    }
    if (filter.q !== undefined && filter.q.length > 0) {
      const pattern = `%${likeLiteral(filter.q.toLowerCase())}%`;
      query = query.where((eb: ExpressionBuilder<RegistryTables, 'agents'>) =>
        eb.or(['id', 'name', 'purpose'].map((column) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`)),
      );
    }
    if (q.after) {
      const [createdAt, id] = q.after;
      query = query.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
    }
    return query.orderBy('created_at').orderBy('id').limit(q.limit).execute();
  }
}

/** The SQL of grant requests (grant-requests.ts): held owner grants waiting for an admin. */
export class GrantRequestStore {
  constructor(private readonly store: Store) {}

  byId(id: string): Promise<GrantRequestRow | undefined> {
    return registryTables(this.store.db).selectFrom('agent_grant_requests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Reads the request for a decision, locked on PostgreSQL so two admins decide one after the other. */
  lockById(trx: Tx, id: string): Promise<GrantRequestRow | undefined> {
    let query = registryTables(trx).selectFrom('agent_grant_requests').selectAll().where('id', '=', id);
    if (this.store.dialect === 'postgres') query = query.forUpdate();
    return query.executeTakeFirst();
  }

  async countPendingBy(trx: Tx, operatorId: string): Promise<number> {
    const row = await registryTables(trx)
      .selectFrom('agent_grant_requests')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('requested_by', '=', operatorId)
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insert(trx: Tx, row: GrantRequestRow): Promise<void> {
    await registryTables(trx).insertInto('agent_grant_requests').values(row).execute();
  }

  /** Records the decision while the request is still pending; false when someone decided first. */
  async decide(trx: Tx, id: string, set: Pick<GrantRequestRow, 'status' | 'decided_by' | 'decided_at' | 'decision_reason'> & { agent_id?: string | null }): Promise<boolean> {
    const result = await registryTables(trx).updateTable('agent_grant_requests').set(set).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Oldest first, optionally one status, at most `limit`. */
  list(status: string | undefined, limit: number): Promise<GrantRequestRow[]> {
    let query = registryTables(this.store.db).selectFrom('agent_grant_requests').selectAll();
    if (status !== undefined) query = query.where('status', '=', status);
    return query.orderBy('created_at').orderBy('id').limit(limit).execute();
  }
}
