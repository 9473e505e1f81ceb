import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/log.js';
import type { Actor } from '../audit/types.js';
import { hashSecret, verifySecret } from '../crypto/secrets.js';
import { isoTime, type Clock } from '../shared/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { Db } from '../storage/database.js';
import { uniquely } from '../storage/errors.js';
import type { CredentialResolver, OperatorPrincipal } from '../identity/index.js';
import { ROLES, type Role } from './roles.js';
import type { OperatorRow } from './tables.js';
import { operatorTables } from './tables.js';

/** Operator tokens read `mop_<token id>.<secret>`: the id finds the row, the secret is compared in constant time. */
const TOKEN_PREFIX = 'mop_';
export const BOOTSTRAP_OPERATOR_ID = 'admin';

export interface Operator {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  status: 'active' | 'disabled';
  createdAt: string;
  disabledAt: string | null;
}

export interface NewOperator {
  id?: string;
  email: string;
  name?: string;
  roles: Role[];
}

export interface IssuedToken {
  operator: Operator;
  tokenId: string;
  /** Shown once; only its hash is stored. */
  token: string;
}

function toOperator(row: OperatorRow): Operator {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: JSON.parse(row.roles) as Role[],
    status: row.status as Operator['status'],
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}

function parseToken(token: string): { tokenId: string; secret: string } | null {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const dot = token.indexOf('.');
  if (dot < 0) return null;
  return { tokenId: token.slice(0, dot), secret: token.slice(dot + 1) };
}

function idFromEmail(email: string): string {
  return `op-${email.split('@')[0]!.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'operator'}`;
}

export class OperatorService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  private newToken(): { tokenId: string; secret: string; token: string } {
    const tokenId = `${TOKEN_PREFIX}${randomBytes(9).toString('base64url')}`;
    const secret = randomBytes(32).toString('base64url');
    return { tokenId, secret, token: `${tokenId}.${secret}` };
  }

  /**
   * Creates the first admin and its token when no operator exists yet. Returns the token
   * (to show once) or null when already bootstrapped. `persist` (writing the admin-token
   * file) runs inside the creating transaction: if it fails, the admin is not created, so the
   * next start bootstraps again instead of leaving an admin whose token nobody has.
   */
  async bootstrap(persist?: (token: string) => void | Promise<void>): Promise<IssuedToken | null> {
    const existing = await operatorTables(this.db).selectFrom('operators').select('id').limit(1).executeTakeFirst();
    if (existing) return null;
    try {
      return await this.create(
        { id: BOOTSTRAP_OPERATOR_ID, email: 'admin@localhost', name: 'Bootstrap admin', roles: ['admin'] },
        { kind: 'system', id: 'bootstrap' },
        persist,
      );
    } catch (error) {
      if (error instanceof ConflictError) return null; // another replica bootstrapped first
      throw error;
    }
  }

  /** `beforeCommit` runs in the creating transaction once the rows are written; its failure undoes them. */
  /**
   * The id for an operator created without one: `op-<local part>`, or with `-2`, `-3`, … when
   * another operator (another domain, say) already has it. Only an email that exists is a 409.
   */
  private async freeId(email: string): Promise<string> {
    const base = idFromEmail(email);
    const taken = new Set(
      (await operatorTables(this.db).selectFrom('operators').select('id').where((eb) => eb.or([eb('id', '=', base), eb('id', 'like', `${base}-%`)])).execute()).map((r) => r.id),
    );
    if (!taken.has(base)) return base;
    let n = 2;
    while (taken.has(`${base}-${n}`)) n += 1;
    return `${base}-${n}`;
  }

  async create(input: NewOperator, actor: Actor, beforeCommit?: (token: string) => void | Promise<void>): Promise<IssuedToken> {
    if (input.roles.length === 0) throw new ValidationError('an operator needs at least one role', { allowed: ROLES });
    const unknown = input.roles.filter((r) => !ROLES.includes(r));
    if (unknown.length > 0) throw new ValidationError(`unknown role ${unknown.join(', ')}; allowed: ${ROLES.join(', ')}`);
    const now = isoTime(this.clock.now());
    const row: OperatorRow = {
      id: input.id ?? (await this.freeId(input.email)),
      email: input.email.toLowerCase(),
      name: input.name ?? input.email,
      roles: JSON.stringify([...new Set(input.roles)]),
      status: 'active',
      created_at: now,
      disabled_at: null,
    };
    const { tokenId, secret, token } = this.newToken();
    const operator = await this.audit.withEntry(async (trx) => {
      await uniquely(() => operatorTables(trx).insertInto('operators').values(row).execute(), `an operator with id '${row.id}' or email '${row.email}' exists`, {
        id: row.id,
      });
      await operatorTables(trx)
        .insertInto('operator_tokens')
        .values({ id: tokenId, operator_id: row.id, secret_hash: hashSecret(secret), description: 'initial', created_at: now, revoked_at: null })
        .execute();
      await beforeCommit?.(token);
      return {
        result: toOperator(row),
        events: [
          { type: 'operator.created', actor, subject: row.id, action: 'create', outcome: 'success', details: { email: row.email, roles: JSON.parse(row.roles), token_id: tokenId } },
        ],
      };
    });
    return { operator, tokenId, token };
  }

  async list(): Promise<Operator[]> {
    const rows = await operatorTables(this.db).selectFrom('operators').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toOperator);
  }

  async get(id: string): Promise<Operator> {
    const row = await operatorTables(this.db).selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('operator', id);
    return toOperator(row);
  }

  /** Disables an operator and revokes all its tokens, in one transaction. */
  async disable(id: string, actor: Actor): Promise<Operator> {
    return this.audit.withEntry(async (trx) => {
      const row = await operatorTables(trx).selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError('operator', id);
      if (row.status === 'disabled') throw new ConflictError(`operator '${id}' is already disabled`);
      if (actor.kind === 'operator' && actor.id === id) throw new ConflictError('an operator cannot disable itself');
      const now = isoTime(this.clock.now());
      // Conditional on the status read above: of concurrent disables (PostgreSQL re-checks the
      // condition once the first commits), exactly one changes the row and writes the entry.
      const changed = await operatorTables(trx).updateTable('operators').set({ status: 'disabled', disabled_at: now }).where('id', '=', id).where('status', '=', 'active').executeTakeFirst();
      if (changed.numUpdatedRows !== 1n) throw new ConflictError(`operator '${id}' is already disabled`);
      await operatorTables(trx).updateTable('operator_tokens').set({ revoked_at: now }).where('operator_id', '=', id).where('revoked_at', 'is', null).execute();
      return {
        result: toOperator({ ...row, status: 'disabled', disabled_at: now }),
        events: [{ type: 'operator.disabled', actor, subject: id, action: 'disable', outcome: 'success' }],
      };
    });
  }

  /** Issues an additional token for an operator (e.g. a replacement before revoking the old one). */
  async issueToken(id: string, description: string | undefined, actor: Actor): Promise<IssuedToken> {
    const { tokenId, secret, token } = this.newToken();
    const operator = await this.audit.withEntry(async (trx) => {
      const row = await operatorTables(trx).selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError('operator', id);
      if (row.status !== 'active') throw new ConflictError(`operator '${id}' is disabled`);
      const now = isoTime(this.clock.now());
      await operatorTables(trx)
        .insertInto('operator_tokens')
        .values({ id: tokenId, operator_id: id, secret_hash: hashSecret(secret), description: description ?? null, created_at: now, revoked_at: null })
        .execute();
      return {
        result: toOperator(row),
        events: [{ type: 'operator.token_issued', actor, subject: id, action: 'issue-token', outcome: 'success', details: { token_id: tokenId } }],
      };
    });
    return { operator, tokenId, token };
  }

  async revokeToken(tokenId: string, actor: Actor): Promise<void> {
    await this.audit.withEntry(async (trx) => {
      const row = await operatorTables(trx).selectFrom('operator_tokens').selectAll().where('id', '=', tokenId).executeTakeFirst();
      if (!row) throw new NotFoundError('operator token', tokenId);
      if (row.revoked_at) throw new ConflictError(`token '${tokenId}' is already revoked`);
      const changed = await operatorTables(trx)
        .updateTable('operator_tokens')
        .set({ revoked_at: isoTime(this.clock.now()) })
        .where('id', '=', tokenId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (changed.numUpdatedRows !== 1n) throw new ConflictError(`token '${tokenId}' is already revoked`);
      return {
        result: undefined,
        events: [{ type: 'operator.token_revoked', actor, subject: row.operator_id, action: 'revoke-token', outcome: 'success', details: { token_id: tokenId } }],
      };
    });
  }

  /** Bearer-token authentication for operators. */
  async authenticate(token: string): Promise<OperatorPrincipal | null> {
    const parsed = parseToken(token);
    if (!parsed) return null;
    const row = await operatorTables(this.db)
      .selectFrom('operator_tokens')
      .innerJoin('operators', 'operators.id', 'operator_tokens.operator_id')
      .select(['operator_tokens.id as token_id', 'operator_tokens.secret_hash', 'operator_tokens.revoked_at', 'operators.id', 'operators.email', 'operators.roles', 'operators.status'])
      .where('operator_tokens.id', '=', parsed.tokenId)
      .executeTakeFirst();
    if (!row || row.revoked_at || row.status !== 'active') return null;
    if (!verifySecret(parsed.secret, row.secret_hash)) return null;
    return { kind: 'operator', operatorId: row.id, email: row.email, roles: JSON.parse(row.roles) as Role[], tokenId: row.token_id };
  }

  credentialResolver(): CredentialResolver {
    return { recognises: (credential) => credential.startsWith(TOKEN_PREFIX), resolve: (credential) => this.authenticate(credential) };
  }
}
