import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { basic, postForm, registerAgent, startOAuthServer } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/**
 * QA: an agent that is suspended, resumed, deprecated and decommissioned loses every token it
 * ever held, and each step out of `active` is recorded the same way on both stores.
 */
describe.each(storeKinds())('OAuth lifecycle revocation on %s', (kind) => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
  });
  afterAll(async () => server?.stop());

  const token = async (clientId: string, secret: string): Promise<string> => {
    const { status, body } = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(clientId, secret) });
    expect(status).toBe(200);
    return body.access_token as string;
  };
  const active = async (accessToken: string): Promise<boolean> => {
    const { status, body } = await postForm(server, '/oauth2/introspect', { token: accessToken }, { authorization: `Bearer ${server.adminToken}` });
    expect(status).toBe(200);
    return body.active as boolean;
  };
  const revocationEntries = async (agentId: string): Promise<Array<Record<string, any>>> => {
    const { status, body } = await server.api('GET', `/v1/audit?type=oauth.agent.tokens_revoked&agent=${agentId}&order=asc&limit=100`);
    expect(status).toBe(200);
    return (body.items as Array<Record<string, any>>).filter((e) => e.type === 'oauth.agent.tokens_revoked' && e.agent_id === agentId);
  };

  it.each([
    ['all in the same second', 0],
    ['seconds apart', 5_000],
  ])('suspend → resume → deprecate → decommission revokes every token (%s)', async (_label, stepMs) => {
    const agent = await registerAgent(server);
    const first = await token(agent.clientId, agent.clientSecret);
    clock.advance(stepMs);
    expect((await server.api('POST', `/v1/agents/${agent.id}/suspend`, {})).status).toBe(200);
    clock.advance(stepMs);
    expect((await server.api('POST', `/v1/agents/${agent.id}/resume`, {})).status).toBe(200);
    clock.advance(stepMs + 2_000);
    const second = await token(agent.clientId, agent.clientSecret);
    expect(await active(second)).toBe(true);
    clock.advance(stepMs);
    expect((await server.api('POST', `/v1/agents/${agent.id}/deprecate`, {})).status).toBe(200);
    clock.advance(stepMs);
    expect((await server.api('POST', `/v1/agents/${agent.id}/decommission`, {})).status).toBe(200);

    expect(await active(first)).toBe(false);
    expect(await active(second)).toBe(false);
    // One audit entry per step out of active: suspend, deprecate, decommission.
    const entries = await revocationEntries(agent.id);
    expect(entries.map((e) => e.details?.reason)).toEqual(['agent suspend', 'agent deprecate', 'agent decommission']);
    // The feed's latest mark for the agent covers both tokens.
    const feed = await fetch(`${server.url}/oauth2/revocations`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    const page = (await feed.json()) as { events: Array<Record<string, any>> };
    const marks = page.events.filter((e) => e.kind === 'agent' && e.agent_id === agent.id).map((e) => e.not_before as number);
    const latest = Math.max(...marks);
    for (const t of [first, second]) {
      const iat = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).iat as number;
      expect(iat).toBeLessThanOrEqual(latest);
    }
  });
});

describe.each(storeKinds())('concurrent revocations on %s', (kind) => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
  });
  afterAll(async () => server?.stop());

  it('revoking one token or one agent many times at once neither fails nor duplicates', async () => {
    const revocations = server.runtime.oauth.revocations;
    const system = { kind: 'system' as const, id: 'qa' };
    const exp = Math.floor(clock.now() / 1000) + 600;
    const created = await Promise.all(Array.from({ length: 8 }, () => revocations.revokeToken({ jti: 'qa-jti', exp, agentId: null }, system, 'qa')));
    expect(created.filter(Boolean)).toHaveLength(1);
    const notBefore = Math.floor(clock.now() / 1000);
    await Promise.all(Array.from({ length: 8 }, (_, i) => revocations.revokeAgent('agt_qa', 'agt_qa', notBefore + (i % 2), system, 'qa')));
    const page = await revocations.page(0, 100);
    expect(page.events.filter((e) => e.kind === 'token' && e.jti === 'qa-jti')).toHaveLength(1);
    const marks = page.events.filter((e) => e.kind === 'agent' && e.agent_id === 'agt_qa').map((e) => (e as { not_before: number }).not_before);
    expect(Math.max(...marks)).toBe(notBefore + 1);
    expect(await revocations.check({ jti: 'x', iat: notBefore + 1, sub: 'agt_qa' })).toBe('agent');
  });
});
