import { uniquely, type Db, type Executor, type Tx } from '../storage/index.js';
import type { Role } from './roles.js';
import { operatorTables, type OperatorRow, type OperatorTokenRow } from './tables.js';
import type { GrantCeiling, Operator } from './types.js';

function toOperator(row: OperatorRow): Operator {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: JSON.parse(row.roles) as Role[],
    status: row.status as Operator['status'],
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
    grantCeiling: decodeCeiling(row.grant_ceiling),
  };
}

interface StoredCeiling {
  scopes: string[];
  tools: string[];
  max_classification: string;
}

function decodeCeiling(text: string | null): GrantCeiling | null {
  if (text === null) return null;
  const stored = JSON.parse(text) as StoredCeiling;
  return { scopes: stored.scopes, tools: stored.tools, maxClassification: stored.max_classification };
}

function encodeCeiling(ceiling: GrantCeiling | null): string | null {
  if (ceiling === null) return null;
  const stored: StoredCeiling = { scopes: ceiling.scopes, tools: ceiling.tools, max_classification: ceiling.maxClassification };
  return JSON.stringify(stored);
}

/** A stored token with what authentication needs of its operator. */
export interface StoredToken {
  tokenId: string;
  secretHash: string;
  revokedAt: string | null;
  operatorId: string;
  email: string;
  roles: Role[];
  operatorStatus: string;
}

/**
 * The operators context's SQL, and the only code that touches `operators` and
 * `operator_tokens`. Reads go to the database unless a transaction is given; writes run in
 * the caller's transaction (the one that also appends the change's audit entry). Rows stay
 * in here: callers get `Operator` objects.
 */
export class OperatorStore {
  constructor(private readonly db: Db) {}

  async isEmpty(): Promise<boolean> {
    return (await operatorTables(this.db).selectFrom('operators').select('id').limit(1).executeTakeFirst()) === undefined;
  }

  /** The ids taken among `base` and `base-<anything>`. */
  async idsLike(base: string): Promise<Set<string>> {
    const rows = await operatorTables(this.db)
      .selectFrom('operators')
      .select('id')
      .where((eb) => eb.or([eb('id', '=', base), eb('id', 'like', `${base}-%`)]))
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  /** Inserts an operator; a taken id or email is a ConflictError (409). */
  async insert(trx: Tx, operator: Operator): Promise<void> {
    const row: OperatorRow = {
      id: operator.id,
      email: operator.email,
      name: operator.name,
      roles: JSON.stringify(operator.roles),
      status: operator.status,
      created_at: operator.createdAt,
      disabled_at: operator.disabledAt,
      grant_ceiling: encodeCeiling(operator.grantCeiling),
    };
    await uniquely(() => operatorTables(trx).insertInto('operators').values(row).execute(), `an operator with id '${row.id}' or email '${row.email}' exists`, { id: row.id });
  }

  async all(): Promise<Operator[]> {
    const rows = await operatorTables(this.db).selectFrom('operators').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toOperator);
  }

  async byId(id: string, executor: Executor = this.db): Promise<Operator | null> {
    const row = await operatorTables(executor).selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toOperator(row) : null;
  }

  /**
   * Disables an active operator and revokes its live tokens. False when it was not active:
   * of concurrent disables (PostgreSQL re-checks the condition once the first commits),
   * exactly one changes the row.
   */
  async disable(trx: Tx, id: string, at: string): Promise<boolean> {
    const changed = await operatorTables(trx).updateTable('operators').set({ status: 'disabled', disabled_at: at }).where('id', '=', id).where('status', '=', 'active').executeTakeFirst();
    if (changed.numUpdatedRows !== 1n) return false;
    await operatorTables(trx).updateTable('operator_tokens').set({ revoked_at: at }).where('operator_id', '=', id).where('revoked_at', 'is', null).execute();
    return true;
  }

  async setCeiling(trx: Tx, id: string, ceiling: GrantCeiling | null): Promise<void> {
    await operatorTables(trx).updateTable('operators').set({ grant_ceiling: encodeCeiling(ceiling) }).where('id', '=', id).execute();
  }

  async insertToken(trx: Tx, token: Omit<OperatorTokenRow, 'revoked_at'>): Promise<void> {
    await operatorTables(trx)
      .insertInto('operator_tokens')
      .values({ ...token, revoked_at: null })
      .execute();
  }

  tokenById(trx: Tx, tokenId: string): Promise<Pick<OperatorTokenRow, 'operator_id' | 'revoked_at'> | undefined> {
    return operatorTables(trx).selectFrom('operator_tokens').select(['operator_id', 'revoked_at']).where('id', '=', tokenId).executeTakeFirst();
  }

  /** Revokes a live token; false when it was revoked already (by a concurrent call, say). */
  async revokeToken(trx: Tx, tokenId: string, at: string): Promise<boolean> {
    const changed = await operatorTables(trx).updateTable('operator_tokens').set({ revoked_at: at }).where('id', '=', tokenId).where('revoked_at', 'is', null).executeTakeFirst();
    return changed.numUpdatedRows === 1n;
  }

  /** The token with this id and its operator, for authentication; undefined when unknown. */
  async storedToken(tokenId: string): Promise<StoredToken | undefined> {
    const row = await operatorTables(this.db)
      .selectFrom('operator_tokens')
      .innerJoin('operators', 'operators.id', 'operator_tokens.operator_id')
      .select(['operator_tokens.id as token_id', 'operator_tokens.secret_hash', 'operator_tokens.revoked_at', 'operators.id', 'operators.email', 'operators.roles', 'operators.status'])
      .where('operator_tokens.id', '=', tokenId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      tokenId: row.token_id,
      secretHash: row.secret_hash,
      revokedAt: row.revoked_at,
      operatorId: row.id,
      email: row.email,
      roles: JSON.parse(row.roles) as Role[],
      operatorStatus: row.status,
    };
  }
}
