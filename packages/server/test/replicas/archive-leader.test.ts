import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgServerUrl } from '../support/pg.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { within } from '../support/replicas.js';

/**
 * Two replicas on one PostgreSQL: a manual archive run (`POST /v1/audit/archive/run`) is the
 * leader's, as the `audit.archive` job is. On a follower it would write segments to that host's
 * archive directory and prune the shared table under the leader's feet; it is refused (409).
 */
describe.skipIf(pgServerUrl() === null)('the audit archive runs on the leader', () => {
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    const config = { audit: { retentionDays: 30 } };
    first = await startTestServer({ kind: 'postgres', config });
    // The same store and data directory (its master key file): a second replica of the first.
    second = await startTestServer({ location: first.location, config });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('refuses a manual run on a follower, naming the replica, and runs it on the leader', async () => {
    await within(10_000, async () => first.runtime.replicas.election.leader !== second.runtime.replicas.election.leader);
    const [leader, follower] = first.runtime.replicas.election.leader ? [first, second] : [second, first];
    const refused = await follower.api('POST', '/v1/audit/archive/run');
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.message).toContain(`replica ${follower.runtime.replicas.replicaId} does not lead`);
    const ran = await leader.api('POST', '/v1/audit/archive/run');
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
  });
});
