/**
 * People's clients at the token endpoint spend a request budget per client, as agents do
 * (`oauth.tokenRateLimitPerMinute`), before the grant looks at its code or refresh token; a
 * public client, which anyone may name, has its budget per client and caller address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postForm, startOAuthServer } from '../support/agents.js';
import type { TestServer } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:5555/callback';

describe("people's clients at the token endpoint", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startOAuthServer('sqlite', { config: { oauth: { tokenRateLimitPerMinute: 3 } } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const refreshWith = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    postForm(server, '/oauth2/token', { grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token', ...form }, headers);

  it('answers 429 with Retry-After once a public client has spent its budget', async () => {
    const made = await server.api('POST', '/v1/clients', { name: 'ide', type: 'public', redirect_uris: [REDIRECT] });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const clientId = made.body.client.client_id as string;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await refreshWith({ client_id: clientId }));
    expect(answers.slice(0, 3).map((a) => [a.status, a.body.error])).toEqual(Array(3).fill([400, 'invalid_grant']));
    expect(answers[3]!.status).toBe(429);
    expect(answers[3]!.body.error).toBe('rate_limited');
    expect(Number(answers[3]!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it("spends a confidential client's budget only once it has authenticated", async () => {
    const made = await server.api('POST', '/v1/clients', { name: 'portal', type: 'confidential', redirect_uris: [REDIRECT] });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const { client, client_secret: secret } = made.body as { client: { client_id: string }; client_secret: string };
    // Wrong secrets are refused as invalid_client and do not spend the client's budget.
    for (let i = 0; i < 5; i++) expect((await refreshWith({}, { authorization: basic(client.client_id, 'not-the-secret') })).status).toBe(401);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await refreshWith({}, { authorization: basic(client.client_id, secret) }));
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 429]);
  });
});
