import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHead } from '../support/audit.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { realAgent, startOAuthServer } from '../approvals/support.js';

/**
 * QA: hostile input on the approvals API. Refusals are JSON 4xx, never 500, and write nothing
 * (no approval row, no audit entry); what a human decider reads cannot be disguised.
 */
describe.each(storeKinds())('approvals under hostile input on %s', (kind) => {
  let server: TestServer;
  let token: string;
  const ask = { action: 'delete', tool: 'files', resource: { type: 'file', id: 'q3.pdf', owner: 'alice@example.com' }, reason: 'superseded' };

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    token = await (await realAgent(server, `qa approvals ${kind}`)).token();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const count = async () => (await server.api('GET', '/v1/approvals?status=pending&limit=1000')).body.items.length as number;

  it('refuses control and bidi characters in what deciders read, with 400 naming the field', async () => {
    const before = await auditHead(server);
    const rows = await count();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...ask, resource: { ...ask.resource, id: 'q3\u202efdp.exe' } }, 'resource.id'],
      [{ ...ask, resource: { ...ask.resource, type: 'file\u001b[2J' } }, 'resource.type'],
      [{ ...ask, resource: { ...ask.resource, owner: 'alice\u2066@example.com' } }, 'resource.owner'],
      [{ ...ask, tool: 'files\u0085' }, 'tool'],
      [{ ...ask, action: 'del\u007fete' }, 'action'],
      [{ ...ask, reason: 'fine\u001b]0;title\u0007' }, 'reason'],
      [{ ...ask, reason: 'looks \u200fok' }, 'reason'],
    ];
    for (const [body, field] of cases) {
      const res = await server.api('POST', '/v1/approvals', body, { token });
      expect(res.status, `${field} → ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.message).toContain(field);
      expect(res.body.message).toContain('control');
    }
    expect(await count()).toBe(rows);
    expect(await auditHead(server)).toBe(before);
    // A reason may span lines; unicode text is fine.
    const ok = await server.api('POST', '/v1/approvals', { ...ask, reason: 'quarterly cleanup:\n\t– superseded ✓' }, { token });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const decided = await server.api('POST', `/v1/approvals/${ok.body.id}/deny`, { reason: 'no \u001b[31mred' });
    expect(decided.status).toBe(400);
    expect(decided.body.message).toContain('reason');
    expect((await server.api('GET', `/v1/approvals/${ok.body.id}`)).body.status).toBe('pending');
  });

  it('refuses listing cursors the server did not issue (a NUL inside is a 400, not a database error)', async () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [forged(['\u0000', 'a']), forged(['2026-01-01T00:00:00.000Z', '\u0000']), forged(['not a time', 'apr_x']), forged(['2026-01-01T00:00:00.000Z', "apr_' OR 1=1"])]) {
      const res = await server.api('GET', `/v1/approvals?cursor=${cursor}`);
      expect(res.status, `${cursor} → ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.details.field).toBe('cursor');
    }
    // A cursor the server gave out still pages on.
    await server.api('POST', '/v1/approvals', { ...ask, resource: { type: 'file', id: 'page-a' } }, { token });
    await server.api('POST', '/v1/approvals', { ...ask, resource: { type: 'file', id: 'page-b' } }, { token });
    const first = await server.api('GET', '/v1/approvals?limit=1');
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await server.api('GET', `/v1/approvals?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.status).toBe(200);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });

  it('decides without a body ({reason?} is optional), and a second decision is a 409 that writes nothing', async () => {
    const asked = await server.api('POST', '/v1/approvals', { ...ask, resource: { type: 'file', id: 'no-body' } }, { token });
    const response = await fetch(`${server.url}/v1/approvals/${asked.body.id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe('approved');
    const before = await auditHead(server);
    const again = await server.api('POST', `/v1/approvals/${asked.body.id}/deny`, {});
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('illegal_transition');
    expect((await server.api('GET', `/v1/approvals/${asked.body.id}`)).body.status).toBe('approved');
    expect(await auditHead(server)).toBe(before);
  });
});
