import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { NAME_PATTERN, urlContext, type DatabaseDeps } from './deps.js';
import { TargetDatabaseError } from './errors.js';
import { settlePendingRoot } from './pending-root.js';
import { connectionByName, upsertConnection } from './store.js';
import type { DbConnectionRow } from './tables.js';

export interface ConnectionSpec {
  name: string;
  /** `postgres://user:password@host:port/database`: the root credential. */
  url: string;
  /** Root rotation period in seconds (0: never); default `secrets.rootRotationSeconds`. */
  rotationPeriodSeconds?: number | undefined;
}

export function checkName(field: string, name: string): string {
  if (!NAME_PATTERN.test(name)) throw new ValidationError(`${field} must be 1-63 characters [A-Za-z0-9_-], starting with a letter or digit`, { field });
  return name;
}

/** The root URL's parts; 400 naming what is missing. */
export function parseRootUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('url must be a postgres:// URL', { field: 'url' });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new ValidationError('url must be a postgres:// URL', { field: 'url' });
  if (!parsed.username || !parsed.password) throw new ValidationError('url must carry the root user and its password (postgres://user:password@host/db)', { field: 'url' });
  if (parsed.pathname.length <= 1) throw new ValidationError('url must name a database (postgres://user:password@host/db)', { field: 'url' });
  return parsed;
}

/**
 * The connection's root URL, unsealed; 404 when the connection is not configured. A rotation a
 * crash left unfinished is settled first (pending-root.ts), so the URL is the one the target holds.
 */
export async function rootUrl(deps: DatabaseDeps, name: string): Promise<{ row: DbConnectionRow; url: string }> {
  let row = await connectionByName(deps.store.db, name);
  if (row?.pending_sealed_url) {
    await settlePendingRoot(deps, name);
    row = await connectionByName(deps.store.db, name);
  }
  if (!row) throw new NotFoundError('database connection', name);
  return { row, url: deps.envelope.decryptText(row.sealed_url, urlContext(name)) };
}

/**
 * Configures (or replaces) a connection. The URL is tried first (`SELECT 1`): a connection
 * that cannot connect is refused (502) and nothing is stored. The root password is stored
 * sealed; rotate it (`rotateRoot`) so that only Mandate knows it.
 */
export async function configureConnection(deps: DatabaseDeps, spec: ConnectionSpec, actor: Actor): Promise<DbConnectionRow> {
  checkName('name', spec.name);
  const parsed = parseRootUrl(spec.url);
  const period = spec.rotationPeriodSeconds ?? deps.settings.rootRotationSeconds;
  if (!Number.isInteger(period) || period < 0) throw new ValidationError('rotation_period_seconds must be a whole number of seconds (0: never)', { field: 'rotation_period_seconds' });
  deps.targets.forget(spec.name);
  try {
    await deps.targets.query(spec.name, spec.url, 'SELECT 1');
  } catch (error) {
    deps.targets.forget(spec.name);
    throw new TargetDatabaseError(spec.name, error);
  }
  const at = isoTime(deps.clock.now());
  const row: DbConnectionRow = {
    name: spec.name,
    plugin: 'postgresql',
    sealed_url: deps.envelope.encrypt(spec.url, urlContext(spec.name)),
    // A new URL from the operator supersedes any rotation a crash left unfinished.
    pending_sealed_url: null,
    pending_since: null,
    username: decodeURIComponent(parsed.username),
    rotation_period_seconds: period,
    root_rotated_at: at,
    created_at: at,
    updated_at: at,
  };
  await deps.audit.withEntry(async (trx) => {
    await upsertConnection(trx, row);
    return {
      result: null,
      events: [{ type: 'db.connection.configured', actor, subject: spec.name, action: 'configure', outcome: 'success', details: { connection: spec.name, host: parsed.host, database: parsed.pathname.slice(1), username: row.username, rotation_period_seconds: period } }],
    };
  });
  return row;
}
