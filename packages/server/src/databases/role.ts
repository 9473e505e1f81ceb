import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { checkName } from './connection.js';
import type { DatabaseDeps } from './deps.js';
import { connectionByName, upsertRole } from './store.js';
import type { DbRoleRow } from './tables.js';
import type { DataClassification } from '../registry/index.js';
import { MAX_STATEMENT_LENGTH, MAX_STATEMENTS } from './templates.js';

export interface RoleSpec {
  connection: string;
  name: string;
  creationStatements: string[];
  /** Absent: the default sequence (NOLOGIN, end sessions, drop owned, drop role). */
  revocationStatements?: string[] | undefined;
  defaultTtlSeconds?: number | undefined;
  maxTtlSeconds?: number | undefined;
  /** Default `restricted`: database credentials reach data the agent's ceiling must cover. */
  classification?: DataClassification | undefined;
}

function checkStatements(field: string, statements: readonly string[], needs: readonly string[]): void {
  if (statements.length === 0 || statements.length > MAX_STATEMENTS) throw new ValidationError(`${field}: 1-${MAX_STATEMENTS} statements`, { field });
  for (const statement of statements) {
    if (statement.trim().length === 0 || statement.length > MAX_STATEMENT_LENGTH) throw new ValidationError(`${field}: each statement is 1-${MAX_STATEMENT_LENGTH} characters`, { field });
  }
  for (const placeholder of needs) {
    if (!statements.some((s) => s.includes(`{{${placeholder}}}`))) throw new ValidationError(`${field} must use {{${placeholder}}}`, { field });
  }
  if (field === 'revocation_statements' && statements.some((s) => /\{\{\s*password\s*\}\}/.test(s))) {
    throw new ValidationError('revocation_statements cannot use {{password}}: a lease never keeps the password', { field });
  }
}

/** Defines (or replaces) a role on a configured connection; TTLs default to 60 s / `secrets.dbMaxTtlSeconds`. */
export async function defineRole(deps: DatabaseDeps, spec: RoleSpec, actor: Actor): Promise<DbRoleRow> {
  checkName('connection', spec.connection);
  checkName('role', spec.name);
  if (!(await connectionByName(deps.store.db, spec.connection))) throw new NotFoundError('database connection', spec.connection);
  checkStatements('creation_statements', spec.creationStatements, ['name', 'password']);
  if (spec.revocationStatements) checkStatements('revocation_statements', spec.revocationStatements, ['name']);
  const maxTtl = spec.maxTtlSeconds ?? deps.settings.maxTtlSeconds;
  const defaultTtl = spec.defaultTtlSeconds ?? Math.min(deps.settings.defaultTtlSeconds, maxTtl);
  if (!Number.isInteger(maxTtl) || maxTtl < 1 || maxTtl > deps.settings.maxTtlSeconds) throw new ValidationError(`max_ttl must be 1-${deps.settings.maxTtlSeconds} seconds (secrets.dbMaxTtlSeconds)`, { field: 'max_ttl' });
  if (!Number.isInteger(defaultTtl) || defaultTtl < 1 || defaultTtl > maxTtl) throw new ValidationError(`default_ttl must be 1-${maxTtl} seconds (at most max_ttl)`, { field: 'default_ttl' });
  const at = isoTime(deps.clock.now());
  const row: DbRoleRow = {
    connection: spec.connection,
    name: spec.name,
    creation_statements: JSON.stringify(spec.creationStatements),
    revocation_statements: spec.revocationStatements ? JSON.stringify(spec.revocationStatements) : null,
    default_ttl: defaultTtl,
    max_ttl: maxTtl,
    classification: spec.classification ?? 'restricted',
    created_at: at,
    updated_at: at,
  };
  await deps.audit.withEntry(async (trx) => {
    await upsertRole(trx, row);
    return { result: null, events: [{ type: 'db.role.defined', actor, subject: `${spec.connection}/${spec.name}`, action: 'configure', outcome: 'success', details: { connection: spec.connection, role: spec.name, default_ttl: defaultTtl, max_ttl: maxTtl } }] };
  });
  return row;
}
