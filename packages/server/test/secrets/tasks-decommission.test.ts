import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { startOAuthServer } from '../support/agents.js';
import { pgServerUrl } from '../support/pg.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { agentWithToken, asUser, auditOf, READER_ROLE, targetDatabase } from './support.js';

const pgUrl = pgServerUrl();

/** Task-scoped credentials and revoke-all on decommission, against a real PostgreSQL target. */
describe.skipIf(pgUrl === null).each(storeKinds())('tasks and decommission (Mandate store: %s)', (kind) => {
  let server: TestServer;
  let target: Awaited<ReturnType<typeof targetDatabase>>;
  const clock = new ManualClock(Date.now());
  const roleExists = async (name: string) => (await target.superuser('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).length > 0;
  const creds = async (token: string, body: Record<string, unknown> = {}) => {
    const response = await server.api('POST', '/v1/db/main/creds/reader', body, { token });
    if (response.status !== 200) throw new Error(`creds: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { username: string; password: string; lease_id: string };
  };

  beforeAll(async () => {
    target = await targetDatabase(pgUrl!);
    server = await startOAuthServer(kind, { clock });
    await server.api('PUT', '/v1/db/main', { url: `postgres://${target.rootUser}:${target.rootPassword}@127.0.0.1:${target.port}/${target.database}` });
    await server.api('PUT', '/v1/db/main/roles/reader', { ...READER_ROLE, max_ttl: 3_600 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('completing a task revokes what was issued with its id, and only that', async () => {
    const agent = await agentWithToken(server);
    const opened = await server.api('POST', '/v1/tasks', { description: 'nightly report' }, { token: agent.token });
    expect(opened.status).toBe(201);
    const task = opened.body;
    expect(task).toMatchObject({ agent_id: agent.id, status: 'open' });
    const forTask = await creds(agent.token, { task_id: task.id, ttl: 600 });
    const unrelated = await creds(agent.token, { ttl: 600 });
    const done = await server.api('POST', `/v1/tasks/${task.id}/complete`, undefined, { token: agent.token });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', revoked: [{ kind: 'lease', id: forTask.lease_id }] });
    expect(await roleExists(forTask.username)).toBe(false);
    expect(await roleExists(unrelated.username)).toBe(true);
    expect((await server.api('POST', `/v1/tasks/${task.id}/complete`, undefined, { token: agent.token })).status).toBe(409);
    const late = await server.api('POST', '/v1/db/main/creds/reader', { task_id: task.id }, { token: agent.token });
    expect(late.status).toBe(400);
    expect(late.body.details.field).toBe('task_id');
    // Another agent's task id is refused, and its task is invisible.
    const other = await agentWithToken(server);
    const otherTask = (await server.api('POST', '/v1/tasks', {}, { token: other.token })).body;
    expect((await server.api('POST', '/v1/db/main/creds/reader', { task_id: otherTask.id }, { token: agent.token })).status).toBe(400);
    expect((await server.api('POST', `/v1/tasks/${otherTask.id}/complete`, undefined, { token: agent.token })).status).toBe(404);
  });

  it('a task that expires takes its credentials with it', async () => {
    const agent = await agentWithToken(server);
    const task = (await server.api('POST', '/v1/tasks', { ttl_seconds: 30 }, { token: agent.token })).body;
    const forTask = await creds(agent.token, { task_id: task.id, ttl: 600 });
    clock.advance(31_000);
    await server.runtime.scheduler.runDue();
    expect((await server.api('GET', `/v1/tasks/${task.id}`, undefined, { token: agent.token })).body.status).toBe('expired');
    expect(await roleExists(forTask.username)).toBe(false);
    expect((await server.runtime.leases.find(forTask.lease_id))?.revokeReason).toBe('task expired');
  });

  it('suspending an agent revokes its leases and cancels its open tasks too (a suspended agent may hold no credentials)', async () => {
    const agent = await agentWithToken(server);
    const task = (await server.api('POST', '/v1/tasks', {}, { token: agent.token })).body;
    const held = await creds(agent.token, { ttl: 600 });
    const suspended = await server.api('POST', `/v1/agents/${agent.id}/suspend`, { reason: 'incident' });
    expect(suspended.body.revoked).toEqual(expect.arrayContaining([{ kind: 'lease', id: held.lease_id }, { kind: 'task', id: task.id }]));
    expect(await roleExists(held.username)).toBe(false);
  });

  it('decommissioning an agent with a token, two leases and an open task revokes them all, lists them and audits them', async () => {
    const agent = await agentWithToken(server);
    const task = (await server.api('POST', '/v1/tasks', {}, { token: agent.token })).body;
    const first = await creds(agent.token, { task_id: task.id, ttl: 600 });
    const second = await creds(agent.token, { ttl: 600 });
    expect((await asUser(target.port, target.database, second.username, second.password, 'SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);

    // The lifecycle goes through deprecated (tokens stop; leases and tasks live on while a replacement takes over).
    expect((await server.api('POST', `/v1/agents/${agent.id}/deprecate`, {})).body.revoked).toEqual([expect.objectContaining({ kind: 'tokens' })]);
    expect(await roleExists(second.username)).toBe(true);
    const response = await server.api('POST', `/v1/agents/${agent.id}/decommission`, { reason: 'retired' });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('decommissioned');
    const revoked = response.body.revoked as Array<{ kind: string; id: string }>;
    expect(revoked).toEqual(
      expect.arrayContaining([
        { kind: 'client_secret', id: agent.clientId },
        expect.objectContaining({ kind: 'tokens', id: agent.clientId }),
        { kind: 'task', id: task.id },
        { kind: 'lease', id: first.lease_id },
        { kind: 'lease', id: second.lease_id },
      ]),
    );
    expect(revoked).toHaveLength(5);
    // When the response arrives the roles are gone already, and the token is dead.
    expect(await roleExists(first.username)).toBe(false);
    expect(await roleExists(second.username)).toBe(false);
    expect((await server.api('GET', '/v1/leases', undefined, { token: agent.token })).status).toBe(401);
    expect((await server.api('GET', `/v1/tasks/${task.id}`)).body.status).toBe('cancelled');
    const types = (await auditOf(server, ['agent.decommissioned', 'task.cancelled', 'lease.revocation_requested', 'lease.revoked', 'token.revoked'])).filter(
      (e) => e.agent_id === agent.id || e.subject === agent.id,
    );
    expect(types.map((e) => e.type)).toEqual(expect.arrayContaining(['agent.decommissioned', 'task.cancelled', 'lease.revocation_requested', 'lease.revoked']));
    expect(types.filter((e) => e.type === 'lease.revoked').map((e) => e.subject).sort()).toEqual([first.lease_id, second.lease_id].sort());
  });
});
