import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHead } from '../support/audit.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/**
 * QA: hostile input on the admin API in scope (operators, agents, audit). Every refusal is
 * a JSON error with a 4xx status, never a 500, and writes nothing (the audit head stays put).
 */
describe.each(storeKinds())('hostile input on %s', (kind) => {
  let server: TestServer;
  const agentBody = { name: 'qa', purpose: 'qa', owner: 'qa@example.com', scopes: [], tools: [], data_classification: 'public', environment: 'test' };

  beforeAll(async () => {
    server = await startTestServer({ kind });
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function expectRefused(method: string, path: string, body: unknown, status: number, field?: string) {
    const before = await auditHead(server);
    const response = await server.api(method, path, body);
    expect(response.status, `${method} ${path} → ${JSON.stringify(response.body)}`).toBe(status);
    expect(response.body).toMatchObject({ error: expect.any(String), message: expect.any(String), request_id: expect.any(String) });
    if (field) expect(response.body.details?.field ?? response.body.message).toContain(field);
    expect(await auditHead(server)).toBe(before);
    return response;
  }

  it('refuses NUL characters in bodies, queries and paths with 400 naming the field', async () => {
    await expectRefused('POST', '/v1/agents', { ...agentBody, name: 'a\u0000b' }, 400, 'body.name');
    await expectRefused('POST', '/v1/operators', { email: 'nul@example.com', roles: ['auditor'], name: 'x\u0000' }, 400, 'body.name');
    await expectRefused('POST', '/v1/agents', { ...agentBody, metadata: { team: 'a\u0000' } }, 400, 'body.metadata.team');
    await expectRefused('GET', '/v1/agents?q=%00', undefined, 400, 'querystring.q');
    await expectRefused('GET', '/v1/agents?owner=a%00b', undefined, 400, 'querystring.owner');
    await expectRefused('GET', '/v1/audit?subject=%00', undefined, 400, 'querystring.subject');
    await expectRefused('GET', '/v1/agents/%00', undefined, 400, 'params.id');
    await expectRefused('GET', '/v1/operators/%00', undefined, 400, 'params.id');
    await expectRefused('DELETE', '/v1/operators/tokens/mop_%00', undefined, 400, 'params.tokenId');
  });

  it('refuses unpaired surrogates (not encodable as UTF-8) with 400, not 500', async () => {
    await expectRefused('POST', '/v1/agents', JSON.stringify({ ...agentBody, name: 'x' }).replace('"x"', '"\\ud800"'), 400, 'body.name');
    await expectRefused('POST', '/v1/agents', JSON.stringify({ ...agentBody, purpose: 'x' }).replace('"x"', '"a\\udfffb"'), 400, 'body.purpose');
  });

  it('refuses audit cursors beyond any sequence number with 400', async () => {
    const huge = '99999999999999999999999';
    await expectRefused('GET', `/v1/audit?after_seq=${huge}`, undefined, 400, 'querystring.after_seq');
    await expectRefused('GET', `/v1/audit/export?after_seq=${huge}`, undefined, 400, 'querystring.after_seq');
    await expectRefused('GET', `/v1/audit/checkpoints?after_seq=${huge}`, undefined, 400, 'querystring.after_seq');
  });

  it('refuses agent list cursors that were not issued by the server', async () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    await expectRefused('GET', `/v1/agents?cursor=${forged(['\u0000', 'a'])}`, undefined, 400, 'cursor');
    await expectRefused('GET', `/v1/agents?cursor=${forged(['not-a-time', 'a'])}`, undefined, 400, 'cursor');
    await expectRefused('GET', `/v1/agents?cursor=${forged(['2026-01-01T00:00:00.000Z', 'Not An Id'])}`, undefined, 400, 'cursor');
    // A cursor the server issued still works.
    await server.api('POST', '/v1/agents', { ...agentBody, name: 'cursor-a' });
    await server.api('POST', '/v1/agents', { ...agentBody, name: 'cursor-b' });
    const first = await server.api('GET', '/v1/agents?limit=1');
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await server.api('GET', `/v1/agents?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.status).toBe(200);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });

  it('answers 415 when a JSON body arrives under another content type', async () => {
    const asText = { headers: { 'content-type': 'text/plain' } };
    const before = await auditHead(server);
    for (const [path, body] of [
      ['/v1/agents', agentBody],
      ['/v1/operators', { email: 'text@example.com', roles: ['auditor'] }],
    ] as const) {
      const response = await server.api('POST', path, JSON.stringify(body), asText);
      expect(response.status, JSON.stringify(response.body)).toBe(415);
      expect(response.body).toMatchObject({ error: 'unsupported_media_type', message: expect.stringMatching(/application\/json/) });
      const xml = await server.api('POST', path, '<agent/>', { headers: { 'content-type': 'application/xml' } });
      expect(xml.status).toBe(415);
    }
    expect(await auditHead(server)).toBe(before);
  });

  it('answers 400, not 415, when a JSON body is a string instead of an object', async () => {
    const before = await auditHead(server);
    const response = await server.api('POST', '/v1/operators', JSON.stringify('just a string'));
    expect(response).toMatchObject({ status: 400, body: { error: 'invalid_request', message: 'body must be a JSON object' } });
    expect(await auditHead(server)).toBe(before);
  });

  it('answers a malformed URL in the API error shape', async () => {
    const response = await server.api('GET', '/v1/agents/%ZZ');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_request', message: expect.any(String), request_id: expect.any(String) });
  });

  it('says when the Authorization header is malformed rather than missing', async () => {
    const response = await server.api('GET', '/v1/agents', undefined, { token: null, headers: { authorization: `Bearer ${server.adminToken} extra` } });
    expect(response.status).toBe(401);
    expect(response.body.message).not.toMatch(/missing/);
    expect(response.body.message).toMatch(/Bearer <token>/);
  });
});
