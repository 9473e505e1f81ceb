import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * QA: free text in agent records refuses control characters (ESC, BEL, backspace, …) that
 * would drive whatever terminal or page later shows it; multi-line fields keep tab and
 * newline, single-line ones (name, certificate DN, labels) keep none.
 */
describe('QA: control characters in agent text', () => {
  let server: TestServer;
  const body = { name: 'ok', purpose: 'ok', owner: 'text@example.com', scopes: [], tools: [], data_classification: 'public', environment: 'test' };
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function seq(): Promise<number> {
    return (await server.api('GET', '/v1/audit/verify')).body.head.seq as number;
  }

  it.each([
    ['name', { name: 'evil\u001b[2J' }],
    ['name', { name: 'two\nlines' }],
    ['purpose', { purpose: 'rings\u0007the bell' }],
    ['purpose', { purpose: 'csi\u009b31m' }],
    ['tls_client_auth_subject_dn', { tls_client_auth_subject_dn: 'CN=a\rCN=b' }],
    ['metadata.team', { metadata: { team: 'x\u001b[1m' } }],
  ])('refuses a control character in %s at registration and in a patch', async (field, extra) => {
    const before = await seq();
    const registered = await server.api('POST', '/v1/agents', { ...body, ...extra });
    expect(registered.status, JSON.stringify(registered.body)).toBe(400);
    expect(registered.body.details.field).toBe(field);
    expect(await seq()).toBe(before);

    const agent = await server.api('POST', '/v1/agents', body);
    const after = await seq();
    const patched = await server.api('PATCH', `/v1/agents/${agent.body.agent.id}`, extra);
    expect(patched.status, JSON.stringify(patched.body)).toBe(400);
    expect(await seq()).toBe(after);
  });

  it('refuses control characters in lifecycle reasons and review notes, keeping newlines', async () => {
    const agent = (await server.api('POST', '/v1/agents', body)).body.agent.id as string;
    expect((await server.api('POST', `/v1/agents/${agent}/suspend`, { reason: 'x\u001b]0;t\u0007' })).status).toBe(400);
    expect((await server.api('POST', `/v1/agents/${agent}/review`, { notes: 'a\bb' })).status).toBe(400);
    const ok = await server.api('POST', `/v1/agents/${agent}/review`, { notes: 'line one\n\tline two' });
    expect(ok.status).toBe(200);
    expect(ok.body.last_review.notes).toBe('line one\n\tline two');
    expect((await server.api('POST', '/v1/agents', { ...body, purpose: 'first\r\nsecond' })).status).toBe(201);
  });
});
