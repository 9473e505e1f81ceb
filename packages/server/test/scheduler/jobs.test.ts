import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

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
    expect(names).toEqual(expect.arrayContaining(['audit.checkpoint', 'audit.group-commit']));
    for (const job of body.items) {
      expect(job).toMatchObject({ kind: expect.stringMatching(/^(periodic|deadline)$/), failures: expect.any(Number), running: expect.any(Boolean) });
      if (job.kind === 'periodic' && !job.running) expect(Date.parse(job.next_run_at)).toBeGreaterThan(Date.now() - 60_000);
    }
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
