import { ConflictError } from '../shared/errors.js';

/**
 * The two dialects report constraint violations differently; services see one error type.
 * SQLite: better-sqlite3 codes SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY. PostgreSQL: SQLSTATE 23505.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/** Runs a write and turns a unique violation into a 409 with the caller's message. */
export async function uniquely<T>(write: () => Promise<T>, conflictMessage: string, details?: Record<string, unknown>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(conflictMessage, details);
    throw error;
  }
}
