import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';
import { operatorToken } from '../policy/support.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/** What the console's audit explorer reads beside GET /v1/audit: one entry by seq, the newest signed checkpoint. */
describe.each(storeKinds())('audit explorer API on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ kind, config: { audit: { checkpointEveryEntries: 5 } } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads one entry by seq and the newest checkpoint, to auditors only; the CLI prints both', async () => {
    for (let i = 0; i < 12; i += 1) {
      await server.runtime.audit.append({ type: 'explorer.test', actor: { kind: 'system', id: 'test' }, action: 'act', outcome: 'success', details: { i } });
    }
    await server.runtime.audit.flush();
    const newest = (await server.api('GET', '/v1/audit?type=explorer.test&limit=1')).body.items[0];
    const one = await server.api('GET', `/v1/audit/entries/${newest.seq}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(newest);
    expect((await server.api('GET', `/v1/audit/entries/${newest.seq + 1000}`)).status).toBe(404);
    expect((await server.api('GET', '/v1/audit/entries/0')).status).toBe(400);
    expect((await server.api('GET', '/v1/audit/entries/x')).status).toBe(400);

    await server.runtime.audit.checkpointIfDueNow();
    const all = (await server.api('GET', '/v1/audit/checkpoints?limit=1000')).body.items;
    expect(all.length).toBeGreaterThan(0);
    const latest = await server.api('GET', '/v1/audit/checkpoints/latest');
    expect(latest.status).toBe(200);
    expect(latest.body).toEqual(all[all.length - 1]);

    const approver = await operatorToken(server, `approver-${kind}`, ['approver']);
    expect((await server.api('GET', `/v1/audit/entries/${newest.seq}`, undefined, { token: approver })).status).toBe(403);
    expect((await server.api('GET', '/v1/audit/checkpoints/latest', undefined, { token: approver })).status).toBe(403);
    const auditor = await operatorToken(server, `auditor-${kind}`, ['auditor']);
    expect((await server.api('GET', '/v1/audit/checkpoints/latest', undefined, { token: auditor })).status).toBe(200);

    const global = ['--url', server.url, '--token', server.adminToken];
    const shown = await runMandate([...global, 'audit', 'show', String(newest.seq)]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/type\s+explorer\.test/);
    expect(shown.stdout).toContain('{"i":11}');
    const json = await runMandate([...global, '--json', 'audit', 'checkpoint']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(latest.body);
    expect((await runMandate([...global, 'audit', 'show', 'zero'])).code).toBe(2);
    expect((await runMandate([...global, 'audit', 'show', String(newest.seq + 1000)])).code).toBe(1);
  });

  it('answers 404 before the first checkpoint', async () => {
    const fresh = await startTestServer({ kind, config: { audit: { checkpointEveryEntries: 100000 } } });
    try {
      const none = await fresh.api('GET', '/v1/audit/checkpoints/latest');
      expect(none.status).toBe(404);
      expect(none.body.error).toBe('not_found');
    } finally {
      await fresh.stop();
    }
  });
});
