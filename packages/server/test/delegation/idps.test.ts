import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

describe.each(storeKinds())('trusted identity providers (/v1/idps) on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ kind });
  });
  afterAll(async () => server?.stop());

  it('adds, lists, shows and removes an IdP, each change audited; refuses bad input and duplicates', async () => {
    const input = { issuer: 'https://login.company.example', jwks_uri: 'https://login.company.example/jwks', audiences: ['mandate'], user_claim: 'email' };
    const added = await server.api('POST', '/v1/idps', input);
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ ...input, id: expect.stringMatching(/^idp_/), name: 'login.company.example' });
    expect((await server.api('POST', '/v1/idps', input)).status).toBe(409);
    const bad = await server.api('POST', '/v1/idps', { ...input, issuer: 'ftp://x', jwks_uri: 'https://x/jwks' });
    expect(bad.status).toBe(400);
    expect(bad.body.message ?? bad.body.error_description ?? JSON.stringify(bad.body)).toMatch(/issuer/);
    expect((await server.api('POST', '/v1/idps', { ...input, issuer: 'https://b.example', audiences: [] })).status).toBe(400);
    expect((await server.api('POST', '/v1/idps', { ...input, issuer: 'https://c.example', user_claim: 'bad claim' })).status).toBe(400);

    expect((await server.api('GET', '/v1/idps')).body.items).toHaveLength(1);
    expect((await server.api('GET', `/v1/idps/${added.body.id}`)).body.issuer).toBe(input.issuer);
    const auditor = await server.api('POST', '/v1/operators', { email: `auditor-${kind}@example.com`, roles: ['auditor'] });
    expect((await server.api('GET', '/v1/idps', undefined, { token: auditor.body.token })).status).toBe(200);
    expect((await server.api('POST', '/v1/idps', { ...input, issuer: 'https://d.example' }, { token: auditor.body.token })).status).toBe(403);

    expect((await server.api('DELETE', `/v1/idps/${added.body.id}`)).status).toBe(204);
    expect((await server.api('GET', `/v1/idps/${added.body.id}`)).status).toBe(404);
    const audit = await server.api('GET', '/v1/audit?type=delegation.idp.*&order=asc');
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(['delegation.idp.added', 'delegation.idp.removed']);
  });
});

describe('mandate idp add|list|show|remove', () => {
  let server: TestServer;
  let global: string[];
  beforeAll(async () => {
    server = await startTestServer();
    global = ['--url', server.url, '--token', server.adminToken];
  });
  afterAll(async () => server?.stop());

  it('manages trusted issuers, --json on reads, exit 1 on a refusal and 2 on bad usage', async () => {
    const added = await runMandate([...global, '--json', 'idp', 'add', '--issuer', 'https://idp.example', '--jwks-uri', 'https://idp.example/jwks', '--audience', 'mandate', 'other']);
    expect(added.code).toBe(0);
    const idp = JSON.parse(added.stdout) as { id: string; audiences: string[] };
    expect(idp.audiences).toEqual(['mandate', 'other']);
    const table = await runMandate([...global, 'idp', 'list']);
    expect(table.stdout).toMatch(/https:\/\/idp\.example/);
    expect(JSON.parse((await runMandate([...global, '--json', 'idp', 'list'])).stdout)).toHaveLength(1);
    const shown = await runMandate([...global, 'idp', 'show', idp.id]);
    expect(shown.stdout).toMatch(/^issuer\s+https:\/\/idp\.example$/m);
    expect(shown.stdout).toMatch(/^audiences\s+\["mandate","other"\]$/m);
    expect(JSON.parse((await runMandate([...global, '--json', 'idp', 'show', idp.id])).stdout)).toEqual(idp);
    expect((await runMandate([...global, 'idp', 'show', 'idp_nope'])).code).toBe(1);
    const again = await runMandate([...global, 'idp', 'add', '--issuer', 'https://idp.example', '--jwks-uri', 'https://idp.example/jwks', '--audience', 'mandate']);
    expect(again.code).toBe(1);
    expect((await runMandate([...global, 'idp', 'add', '--issuer', 'https://idp.example'])).code).toBe(2);
    expect((await runMandate([...global, 'idp', 'remove', idp.id])).code).toBe(0);
    expect(JSON.parse((await runMandate([...global, '--json', 'idp', 'list'])).stdout)).toEqual([]);
  });
});
