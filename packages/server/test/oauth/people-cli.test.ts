import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';
import { basic, postForm, registerResourceServer, startOAuthServer } from '../support/agents.js';
import { adminBrowser, authorizeInBrowser } from '../support/people.js';
import type { TestServer } from '../support/server.js';

const RESOURCE = 'https://portal-api.example';
const REDIRECT = 'https://portal.example/oauth/callback';

/** `mandate client …` and `mandate consent …` against a real server; a confidential client's whole flow with its secret. */
describe('mandate client and consent', () => {
  let server: TestServer;
  let global: string[];
  beforeAll(async () => {
    server = await startOAuthServer('sqlite');
    global = ['--url', server.url, '--token', server.adminToken];
    await registerResourceServer(server, RESOURCE, ['tickets:read']);
  });
  afterAll(async () => server?.stop());

  it('registers a confidential client, which authenticates with its secret, then lists and revokes the consent and removes the client', async () => {
    const added = await runMandate([...global, '--json', 'client', 'add', '--name', 'Support portal', '--confidential', '--redirect-uri', REDIRECT, '--logo-uri', 'https://portal.example/logo.png']);
    expect(added.code, added.stderr).toBe(0);
    const { client, client_secret: secret } = JSON.parse(added.stdout) as { client: { client_id: string; type: string }; client_secret: string };
    expect(client.type).toBe('confidential');
    expect(secret).toBeTruthy();
    expect((await runMandate([...global, 'client', 'list'])).stdout).toContain('Support portal');
    expect(JSON.parse((await runMandate([...global, '--json', 'client', 'show', client.client_id])).stdout)).toMatchObject({ redirect_uris: [REDIRECT] });

    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${server.url}/oauth2/authorize`);
    for (const [name, value] of Object.entries({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, scope: 'tickets:read', state: 's1', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', resource: RESOURCE })) url.searchParams.set(name, value);
    const answer = await authorizeInBrowser(url.toString(), adminBrowser(server));
    const code = new URL(answer.location!).searchParams.get('code')!;
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier };
    const noSecret = await postForm(server, '/oauth2/token', { ...form, client_id: client.client_id });
    expect(noSecret.status).toBe(401);
    expect(noSecret.body.error).toBe('invalid_client');
    const wrong = await postForm(server, '/oauth2/token', form, { authorization: basic(client.client_id, 'not-the-secret') });
    expect(wrong.status).toBe(401);
    const ok = await postForm(server, '/oauth2/token', form, { authorization: basic(client.client_id, secret) });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'Bearer', scope: 'tickets:read' });

    const consents = JSON.parse((await runMandate([...global, '--json', 'consent', 'list'])).stdout) as Array<{ id: string; client_id: string }>;
    const consent = consents.find((c) => c.client_id === client.client_id)!;
    expect(consent).toBeTruthy();
    const revoked = await runMandate([...global, 'consent', 'revoke', consent.id]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('revoked');
    const refresh = await postForm(server, '/oauth2/token', { grant_type: 'refresh_token', refresh_token: ok.body.refresh_token }, { authorization: basic(client.client_id, secret) });
    expect(refresh.status).toBe(400);

    expect((await runMandate([...global, 'client', 'remove', client.client_id])).code).toBe(0);
    const gone = await runMandate([...global, 'client', 'show', client.client_id]);
    expect(gone.code).toBe(1);
  });

  it('refuses a redirect URI that is neither https, loopback http nor a private-use scheme', async () => {
    const bad = await runMandate([...global, 'client', 'add', '--name', 'x', '--redirect-uri', 'http://portal.example/cb']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/must be https/);
  });
});
