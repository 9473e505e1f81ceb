import type { LeaseEngine, RevocationData } from '../leases/index.js';
import { rootUrl } from './connection.js';
import type { DatabaseDeps } from './deps.js';

/** What a database lease keeps to be revoked (issue.ts writes it). */
interface DatabaseRevocation {
  connection: string;
  username: string;
  statements: string[];
}

/** PostgreSQL's "undefined object": the role is already gone, which is what revocation wants. */
const ROLE_GONE = '42704';

const isRoleGone = (error: unknown) => (error as { code?: string }).code === ROLE_GONE;

/**
 * The database engine's side of its leases: revoke runs the lease's own revocation statements
 * (default: NOLOGIN, end sessions, drop owned, drop role) one by one on the target; a role that
 * no longer exists is revoked already. Renew moves the role's VALID UNTIL with the lease.
 */
export function databaseLeaseEngine(deps: DatabaseDeps): LeaseEngine {
  return {
    async revoke(data: RevocationData) {
      const { connection, username, statements } = data as unknown as DatabaseRevocation;
      const { url } = await rootUrl(deps, connection);
      await deps.targets.exclusive(connection, async () => {
        const exists = await deps.targets.query(connection, url, 'SELECT 1 FROM pg_roles WHERE rolname = $1', [username]);
        if (exists.rowCount === 0) return;
        for (const statement of statements) {
          try {
            await deps.targets.query(connection, url, statement);
          } catch (error) {
            if (isRoleGone(error)) return;
            throw error;
          }
        }
      });
    },
    async renew(data: RevocationData, expiresAt: string) {
      const { connection, username } = data as unknown as DatabaseRevocation;
      const { url } = await rootUrl(deps, connection);
      // The user name is Mandate's own ([a-z0-9_]); the time is an ISO string it made.
      await deps.targets.query(connection, url, `ALTER ROLE "${username}" VALID UNTIL '${expiresAt}'`);
    },
  };
}
