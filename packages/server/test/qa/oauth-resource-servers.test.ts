import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOAuthServer } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/**
 * QA: a resource server may not claim Mandate's own audience. Tokens with aud = issuer are
 * accepted by /v1; an API registered under that audience would receive agents' /v1 tokens (and
 * could replay them at Mandate as the agent) and could introspect every /v1 token.
 */
describe.each(storeKinds())('resource server audiences on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startOAuthServer(kind);
  });
  afterAll(async () => server?.stop());

  it.each([
    ['the issuer', (issuer: string) => issuer],
    ['the issuer with a trailing slash', (issuer: string) => `${issuer}/`],
    ['the issuer in upper case', (issuer: string) => issuer.toUpperCase()],
  ])('refuses %s as an audience (400, nothing created)', async (_label, make) => {
    const audience = make(server.config.issuer);
    const created = await server.api('POST', '/v1/resource-servers', { audience, name: 'mandate itself', scopes: ['x.read'] });
    expect(created.status).toBe(400);
    expect(created.body.details?.field).toBe('audience');
    const list = await server.api('GET', '/v1/resource-servers');
    expect((list.body.items as Array<{ audience: string }>).map((s) => s.audience)).not.toContain(audience);
  });

  it('still accepts other audiences, including a path below the issuer (the control)', async () => {
    expect((await server.api('POST', '/v1/resource-servers', { audience: `${server.config.issuer}/apps/orders`, name: 'orders', scopes: ['orders.read'] })).status).toBe(201);
    expect((await server.api('POST', '/v1/resource-servers', { audience: 'urn:example:api', name: 'urn', scopes: ['u.read'] })).status).toBe(201);
  });
});
