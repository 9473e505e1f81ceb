import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { registerAgent, startOAuthServer } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { agentKey, agentToken, csrFor } from './support.js';

interface Authority {
  id: string;
  state: string;
  remove_at: string | null;
}

/**
 * A retired CA leaves the bundle only once every certificate it signed has expired, counted when
 * it is about to leave, not only when it retired: a replica that had not reloaded the CAs, or a
 * signature just before the retirement committed, can add certificates after `remove_at` was set.
 */
describe('CA retirement', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
  const authorities = async () => (await server.api('GET', '/v1/ca')).body.items as Authority[];

  beforeAll(async () => {
    server = await startOAuthServer('sqlite', { clock });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('keeps a retired CA published while a certificate recorded after its retirement is still valid', async () => {
    const agent = await registerAgent(server);
    const token = await agentToken(server, agent);
    expect((await server.api('POST', '/v1/svids', { csr: await csrFor(await agentKey()) }, { token })).status).toBe(201);
    expect((await server.api('POST', '/v1/ca/rotate')).status).toBe(200);
    const retired = (await authorities()).find((a) => a.state === 'retired')!;
    const removeAt = Date.parse(retired.remove_at!);
    // A certificate the old CA signed that the rotation did not count: recorded now, valid an hour past remove_at.
    const later = new Date(removeAt + 3_600_000).toISOString();
    await sql`update workload_certificates set not_after = ${later} where authority_id = ${retired.id}`.execute(server.runtime.store.db);

    clock.set(removeAt + 1_000);
    await server.runtime.workload.maintain();
    expect((await authorities()).find((a) => a.id === retired.id)).toMatchObject({ state: 'retired', remove_at: later });
    const postponed = (await server.api('GET', '/v1/audit?type=ca.removal_postponed')).body.items;
    expect(postponed).toHaveLength(1);
    expect(postponed[0]).toMatchObject({ subject: retired.id, details: { remove_at: later } });

    clock.set(Date.parse(later) + 1_000);
    await server.runtime.workload.maintain();
    expect((await authorities()).map((a) => a.id)).not.toContain(retired.id);
  });
});
