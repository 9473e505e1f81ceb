import type { DbConnectionRow, DbRoleRow } from './tables.js';

/** A connection as the API shows it: never its password. */
export function connectionView(row: DbConnectionRow) {
  return {
    name: row.name,
    plugin: row.plugin,
    username: row.username,
    rotation_period_seconds: row.rotation_period_seconds,
    root_rotated_at: row.root_rotated_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function roleView(row: DbRoleRow) {
  return {
    connection: row.connection,
    name: row.name,
    creation_statements: JSON.parse(row.creation_statements) as string[],
    revocation_statements: row.revocation_statements ? (JSON.parse(row.revocation_statements) as string[]) : null,
    default_ttl: row.default_ttl,
    max_ttl: row.max_ttl,
    classification: row.classification,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export type ConnectionView = ReturnType<typeof connectionView>;
export type RoleView = ReturnType<typeof roleView>;
