import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

describe.each(storeKinds())('HTTP foundation on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ kind });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers health and readiness', async () => {
    expect(await server.api('GET', '/healthz', undefined, { token: null })).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect((await server.api('GET', '/readyz', undefined, { token: null })).status).toBe(200);
  });

  it('publishes an OpenAPI document that lists the admin API', async () => {
    const { status, body } = await server.api('GET', '/openapi.json', undefined, { token: null });
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(Object.keys(body.paths)).toContain('/v1/operators');
  });

  it('requires credentials on /v1 and says what is missing', async () => {
    const none = await server.api('GET', '/v1/operators', undefined, { token: null });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error: 'unauthenticated', message: expect.stringMatching(/missing bearer token/) });
    const wrong = await server.api('GET', '/v1/operators', undefined, { token: 'mop_nope.nope' });
    expect(wrong.status).toBe(401);
    const forged = await server.api('GET', '/v1/operators', undefined, { token: `${server.adminToken.split('.')[0]}.wrong-secret` });
    expect(forged.status).toBe(401);
    expect(none.headers.get('x-request-id')).toBeTruthy();
  });

  it('creates operators with roles, enforces roles with 403, and revokes tokens', async () => {
    const created = await server.api('POST', '/v1/operators', { email: `auditor-${kind}@example.com`, roles: ['auditor'] });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^mop_/);
    const auditorToken: string = created.body.token;
    expect((await server.api('GET', '/v1/operators', undefined, { token: auditorToken })).status).toBe(200);
    const forbidden = await server.api('POST', '/v1/operators', { email: 'x@example.com', roles: ['admin'] }, { token: auditorToken });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toMatch(/auditor may not operators:manage/);
    const duplicate = await server.api('POST', '/v1/operators', { email: `auditor-${kind}@example.com`, roles: ['auditor'] });
    expect(duplicate.status).toBe(409);
    await server.api('DELETE', `/v1/operators/tokens/${created.body.token_id}`);
    expect((await server.api('GET', '/v1/operators', undefined, { token: auditorToken })).status).toBe(401);
  });

  it('answers bad input with clear 4xx errors and writes nothing', async () => {
    const before = (await server.api('GET', '/v1/operators')).body.items.length;
    const unknownField = await server.api('POST', '/v1/operators', { email: 'a@example.com', roles: ['admin'], surprise: true });
    expect(unknownField).toMatchObject({ status: 400, body: { error: 'invalid_request', message: 'body.surprise is not a known field' } });
    const badEnum = await server.api('POST', '/v1/operators', { email: 'a@example.com', roles: ['god'] });
    expect(badEnum.status).toBe(400);
    const wrongType = await server.api('POST', '/v1/operators', { email: 'a@example.com', roles: 'admin' });
    expect(wrongType.status).toBe(400);
    const missing = await server.api('POST', '/v1/operators', { roles: ['admin'] });
    expect(missing.body.message).toBe('body.email is required');
    const malformed = await server.api('POST', '/v1/operators', '{"email": ');
    expect(malformed).toMatchObject({ status: 400, body: { error: 'malformed_json' } });
    const huge = await server.api('POST', '/v1/operators', { email: 'a@example.com', roles: ['admin'], name: 'x'.repeat(2_000_000) });
    expect(huge).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    const unknownRoute = await server.api('GET', '/v1/nothing-here');
    expect(unknownRoute.status).toBe(404);
    expect((await server.api('GET', '/v1/operators/nobody')).status).toBe(404);
    const after = (await server.api('GET', '/v1/operators')).body.items.length;
    expect(after).toBe(before);
  });
});
