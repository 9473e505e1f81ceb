import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/** Every timed job of a running server is registered with the one scheduler and listed in one place. */
describe('GET /v1/jobs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("lists the server's timed jobs with their interval and next run", async () => {
    const { status, body } = await server.api('GET', '/v1/jobs');
    expect(status).toBe(200);
    const names = body.items.map((job: { name: string }) => job.name);
    expect(names).toEqual(expect.arrayContaining(['audit.checkpoint', 'audit.group-commit', 'oauth.signing-keys', 'oauth.signing-keys.reload', 'oauth.prune', 'oauth.revocation-watch']));
    const byName = new Map(body.items.map((job: { name: string }) => [job.name, job]));
    expect(byName.get('oauth.signing-keys')).toMatchObject({ kind: 'periodic', every_ms: 30_000, singleton: true });
    expect(byName.get('oauth.signing-keys.reload')).toMatchObject({ kind: 'periodic', every_ms: 30_000, singleton: false });
    expect(byName.get('oauth.prune')).toMatchObject({ kind: 'periodic', every_ms: 300_000, singleton: true });
    expect(byName.get('oauth.revocation-watch')).toMatchObject({ kind: 'deadline', singleton: false });
    for (const job of body.items) {
      expect(job).toMatchObject({ kind: expect.stringMatching(/^(periodic|deadline)$/), failures: expect.any(Number), running: expect.any(Boolean) });
      if (job.kind === 'periodic' && !job.running) expect(Date.parse(job.next_run_at)).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it('is what `mandate jobs` prints (table and --json)', async () => {
    const global = ['--url', server.url, '--token', server.adminToken];
    const table = await runMandate([...global, 'jobs']);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(/^NAME\s+KIND\s+EVERY_MS/m);
    expect(table.stdout).toMatch(/^audit\.checkpoint\s+periodic\s+\d+/m);
    const json = await runMandate([...global, '--json', 'jobs']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).map((job: { name: string }) => job.name)).toContain('audit.checkpoint');
  });

  it('is for admins and auditors only', async () => {
    const owner = await server.api('POST', '/v1/operators', { email: 'owner-jobs@example.com', roles: ['owner'] });
    const refused = await server.api('GET', '/v1/jobs', undefined, { token: owner.body.token });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/system:read/);
    const auditor = await server.api('POST', '/v1/operators', { email: 'auditor-jobs@example.com', roles: ['auditor'] });
    expect((await server.api('GET', '/v1/jobs', undefined, { token: auditor.body.token })).status).toBe(200);
  });
});

/** The approvals context's timed work: the expiry sweep, the replica poller (PostgreSQL) and webhook retries. */
describe.each(storeKinds())("approvals' jobs on %s", (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ kind, config: { approvals: { webhookUrl: 'http://127.0.0.1:9/hook', webhookSecret: 'whsec-jobs-0123456789' } } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('are listed with the scheduler', async () => {
    const { body } = await server.api('GET', '/v1/jobs');
    const jobs = new Map(body.items.map((job: { name: string }) => [job.name, job]));
    expect(jobs.get('approvals.expiry')).toMatchObject({ kind: 'periodic', every_ms: server.config.approvals.sweepIntervalSeconds * 1000, singleton: true });
    expect(jobs.get('approvals.webhook-retry')).toMatchObject({ kind: 'deadline', singleton: false });
    expect(jobs.get('approvals.webhook-resend')).toMatchObject({ kind: 'periodic', every_ms: 60_000, singleton: true });
    // Every replica polls for its own parked waits; one process on SQLite has nothing to poll.
    if (kind === 'postgres') expect(jobs.get('approvals.parked-poll')).toMatchObject({ kind: 'deadline', singleton: false });
    else expect(jobs.has('approvals.parked-poll')).toBe(false);
  });
});
