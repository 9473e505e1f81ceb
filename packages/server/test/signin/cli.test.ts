import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** `mandate session list|revoke` (issue 17 item 5) against a real server: list, revoke, --json, a second revoke refused. */
describe('mandate session', () => {
  let server: TestServer;
  let global: string[];
  beforeAll(async () => {
    server = await startTestServer();
    global = ['--url', server.url, '--token', server.adminToken];
  });
  afterAll(async () => server?.stop());

  it('lists and revokes sessions', async () => {
    const signin = await fetch(`${server.url}/signin/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: server.adminToken }) });
    expect(signin.status).toBe(200);
    const listed = await runMandate([...global, '--json', 'session', 'list']);
    expect(listed.code).toBe(0);
    const items = JSON.parse(listed.stdout);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'operator', principal_id: 'admin', method: 'token' });
    const table = await runMandate([...global, 'session', 'list']);
    expect(table.stdout).toContain(items[0].id);
    const revoked = await runMandate([...global, 'session', 'revoke', items[0].id]);
    expect(revoked).toMatchObject({ code: 0, stdout: `session ${items[0].id} revoked\n` });
    expect((await runMandate([...global, 'session', 'revoke', items[0].id])).code).toBe(1);
    expect(JSON.parse((await runMandate([...global, '--json', 'session', 'list'])).stdout)).toEqual([]);
  });
});
