import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { basic, postForm, registerAgent, startOAuthServer } from '../support/agents.js';
import type { TestServer } from '../support/server.js';

/**
 * QA: the token endpoint's limits cannot be spent by someone who only knows a client's id.
 * Failed authentications count per presented client_id + source address; issuance counts per
 * authenticated client. (Rate limits are per replica and in memory: one store is enough.)
 */
describe('OAuth rate limits are fair', () => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;

  beforeAll(async () => {
    server = await startOAuthServer('sqlite', { clock, config: { oauth: { tokenRateLimitPerMinute: 3, clientAuthFailuresPerMinute: 2 } } });
  });
  afterAll(async () => server?.stop());

  const ask = (clientId: string, secret: string, extra: Record<string, string> = {}) =>
    postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(clientId, secret), ...extra });

  it('a stranger with the client id and wrong secrets cannot exhaust the client’s issuance budget', async () => {
    const victim = await registerAgent(server);
    for (let i = 0; i < 10; i += 1) {
      const refused = await ask(victim.clientId, `wrong-${i}`);
      expect([401, 429]).toContain(refused.status);
    }
    // The stranger's own address is throttled now …
    const throttled = await ask(victim.clientId, 'wrong-again');
    expect(throttled).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // … but the victim, from another address, still gets its whole budget.
    const fromElsewhere = await server.runtime.oauth.token({ authorization: basic(victim.clientId, victim.clientSecret), body: 'grant_type=client_credentials', remoteAddress: '198.51.100.7' });
    expect(fromElsewhere.access_token).toBeTruthy();
  });

  it('issuance is limited per authenticated client, after authentication', async () => {
    const a = await registerAgent(server);
    const b = await registerAgent(server);
    for (let i = 0; i < 3; i += 1) expect((await ask(a.clientId, a.clientSecret)).status).toBe(200);
    const limited = await ask(a.clientId, a.clientSecret);
    expect(limited).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect((await ask(b.clientId, b.clientSecret)).status).toBe(200);
    // Refused requests do not spend the issuance budget of b.
    for (let i = 0; i < 2; i += 1) await ask(b.clientId, 'nope');
    expect((await ask(b.clientId, b.clientSecret)).status).toBe(429); // this address hit b's failure limit
    const elsewhere = { authorization: basic(b.clientId, b.clientSecret), body: 'grant_type=client_credentials', remoteAddress: '203.0.113.9' };
    expect((await server.runtime.oauth.token(elsewhere)).token_type).toBe('Bearer');
    expect((await server.runtime.oauth.token(elsewhere)).token_type).toBe('Bearer');
    // b has now used 3 tokens: the next one is over its issuance budget wherever it asks from.
    await expect(server.runtime.oauth.token(elsewhere)).rejects.toMatchObject({ code: 'rate_limited' });
  });

  it('budgets refill with time (the injected clock)', async () => {
    const c = await registerAgent(server);
    for (let i = 0; i < 3; i += 1) expect((await ask(c.clientId, c.clientSecret)).status).toBe(200);
    expect((await ask(c.clientId, c.clientSecret)).status).toBe(429);
    clock.advance(60_000);
    expect((await ask(c.clientId, c.clientSecret)).status).toBe(200);
  });
});
