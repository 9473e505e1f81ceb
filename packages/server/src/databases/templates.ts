/**
 * SQL templates in Vault's manner: `{{name}}`, `{{password}}` and `{{expiration}}` are replaced
 * by values Mandate generates itself from a fixed alphabet (see credentials.ts), never by
 * anything a caller sends, so plain substitution cannot inject SQL.
 */
export interface TemplateValues {
  name: string;
  password?: string;
  expiration?: string;
}

const PLACEHOLDER = /\{\{\s*(name|password|expiration)\s*\}\}/g;

export function render(statement: string, values: TemplateValues): string {
  return statement.replace(PLACEHOLDER, (_match, key: keyof TemplateValues) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template uses {{${key}}}, which is not available here`);
    return value;
  });
}

/**
 * PostgreSQL revocation when a role gives none (STYLE.md §9): no more logins, end the sessions
 * it has, drop what it owns (and its grants), drop it. One statement at a time, each committed:
 * NOLOGIN holds before the sessions are ended, so none can come back in between.
 */
export const DEFAULT_REVOCATION: readonly string[] = [
  'ALTER ROLE "{{name}}" NOLOGIN',
  "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{{name}}' AND pid <> pg_backend_pid()",
  'DROP OWNED BY "{{name}}"',
  'DROP ROLE IF EXISTS "{{name}}"',
];

/** Limits on what a role may hold. */
export const MAX_STATEMENTS = 20;
export const MAX_STATEMENT_LENGTH = 4_000;
