import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../src/audit/index.js';
import type { RevocationFailing } from '../../src/leases/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import { startOAuthServer } from '../support/agents.js';
import { pgServerUrl } from '../support/pg.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { agentWithToken, asUser, auditOf, DatabaseRelay, READER_ROLE, targetDatabase } from './support.js';

const pgUrl = pgServerUrl();

/**
 * Dynamic PostgreSQL credentials against a real PostgreSQL (the embedded test server is the
 * target): issue, log in, least privilege, expiry → revocation, renewal within max TTL,
 * retries while the database is down, root rotation.
 */
describe.skipIf(pgUrl === null).each(storeKinds())('database credentials (Mandate store: %s)', (kind) => {
  let server: TestServer;
  let target: Awaited<ReturnType<typeof targetDatabase>>;
  const clock = new ManualClock(Date.now());
  const roleExists = async (name: string) => (await target.superuser('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).length > 0;
  const sweep = async (ms: number) => {
    clock.advance(ms);
    await server.runtime.scheduler.runDue();
  };

  beforeAll(async () => {
    target = await targetDatabase(pgUrl!);
    server = await startOAuthServer(kind, { clock, config: { secrets: { revocationBackoffMs: 1_000, revocationAlertAfterFailures: 3 } } });
    const url = `postgres://${target.rootUser}:${target.rootPassword}@127.0.0.1:${target.port}/${target.database}`;
    expect((await server.api('PUT', '/v1/db/main', { url })).status).toBe(200);
    expect((await server.api('PUT', '/v1/db/main/roles/reader', { ...READER_ROLE, max_ttl: 120 })).status).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('issues credentials that log in and can do only what the role grants; after the TTL they cannot log in and the role is gone', async () => {
    const agent = await agentWithToken(server);
    const issued = await server.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token });
    expect(issued.status).toBe(200);
    const { username, password, lease_id, ttl } = issued.body;
    expect(ttl).toBe(60);
    expect(lease_id).toMatch(/^lease_/);
    expect((await asUser(target.port, target.database, username, password, 'SELECT name FROM items')).rows).toEqual([{ name: 'one' }]);
    expect((await asUser(target.port, target.database, username, password, "INSERT INTO items VALUES (2, 'two')")).code).toBe('42501');
    expect((await asUser(target.port, target.database, username, password, 'CREATE TABLE mine (x int)')).code).toBe('42501');
    // VALID UNTIL is the second guard: the role itself expires with the lease.
    const [{ valid }] = await target.superuser('SELECT rolvaliduntil AS valid FROM pg_roles WHERE rolname = $1', [username]);
    expect(new Date(valid).getTime()).toBe(Date.parse(issued.body.expires_at));

    await sweep(59_000);
    expect(await roleExists(username)).toBe(true);
    await sweep(2_000);
    expect(await roleExists(username)).toBe(false);
    expect((await asUser(target.port, target.database, username, password, 'SELECT 1')).code).not.toBeUndefined();
    const lease = (await server.api('GET', `/v1/leases?status=revoked&agent_id=${agent.id}`)).body.items[0];
    expect(lease).toMatchObject({ lease_id, status: 'revoked', revoke_reason: 'expired' });
    expect((await auditOf(server, ['lease.revoked'])).some((e) => e.subject === lease_id)).toBe(true);
    const issuedEntry = (await auditOf(server, ['db.credentials.issued'])).find((e) => e.subject === lease_id);
    expect(JSON.stringify(issuedEntry)).not.toContain(password);
  });

  it('renews never past the max TTL, moving VALID UNTIL with it; a revoked lease cannot be renewed', async () => {
    const agent = await agentWithToken(server);
    const { body } = await server.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token });
    const issuedAt = clock.now();
    const renewed = await server.api('POST', `/v1/leases/${body.lease_id}/renew`, { increment: 3_600 }, { token: agent.token });
    expect(renewed.status).toBe(200);
    expect(Date.parse(renewed.body.expires_at)).toBe(issuedAt + 120_000);
    const [{ valid }] = await target.superuser('SELECT rolvaliduntil AS valid FROM pg_roles WHERE rolname = $1', [body.username]);
    expect(new Date(valid).getTime()).toBe(issuedAt + 120_000);
    // Another agent cannot see or renew it.
    const other = await agentWithToken(server);
    expect((await server.api('POST', `/v1/leases/${body.lease_id}/renew`, {}, { token: other.token })).status).toBe(404);
    expect((await server.api('POST', `/v1/leases/${body.lease_id}/revoke`, undefined, { token: agent.token })).body.status).toBe('revoked');
    expect(await roleExists(body.username)).toBe(false);
    expect((await server.api('POST', `/v1/leases/${body.lease_id}/renew`, {}, { token: agent.token })).status).toBe(409);
  });

  it('refuses a ttl beyond the role max, an unknown role, and agents whose policy does not allow the role', async () => {
    const agent = await agentWithToken(server);
    const tooLong = await server.api('POST', '/v1/db/main/creds/reader', { ttl: 121 }, { token: agent.token });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.details.field).toBe('ttl');
    const noTool = await agentWithToken(server, { tools: ['secrets'] });
    expect((await server.api('POST', '/v1/db/main/creds/reader', {}, { token: noTool.token })).status).toBe(403);
    expect((await server.api('POST', '/v1/db/main/creds/nope', {})).status).toBe(404);
    const leases = await server.runtime.leases.list({ agentId: noTool.id });
    expect(leases).toEqual([]);
  });

  it('revokes by prefix and by agent', async () => {
    const agent = await agentWithToken(server);
    const a = (await server.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token })).body;
    const b = (await server.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token })).body;
    const byAgent = await server.api('POST', '/v1/leases/revoke', { agent_id: agent.id });
    expect(byAgent.body.revoked.sort()).toEqual([a.lease_id, b.lease_id].sort());
    const c = (await server.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token })).body;
    const byPrefix = await server.api('POST', '/v1/leases/revoke', { prefix: 'db/main/creds/' });
    expect(byPrefix.body.revoked).toContain(c.lease_id);
    for (const u of [a.username, b.username, c.username]) expect(await roleExists(u)).toBe(false);
    expect((await server.api('POST', '/v1/leases/revoke', {})).status).toBe(400);
  });

  it('issues and revokes side by side without PostgreSQL refusing concurrent GRANT / DROP OWNED', async () => {
    const agent = await agentWithToken(server);
    const first = await Promise.all(Array.from({ length: 8 }, () => server.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token })));
    expect(first.map((r) => r.status)).toEqual(Array(8).fill(200));
    const [revoked, ...second] = await Promise.all([
      server.api('POST', '/v1/leases/revoke', { agent_id: agent.id }),
      ...Array.from({ length: 8 }, () => server.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token })),
    ]);
    expect(second.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(revoked!.body.retrying).toEqual([]);
    await server.api('POST', '/v1/leases/revoke', { agent_id: agent.id });
  });

  it('a role already gone is revoked without error', async () => {
    const agent = await agentWithToken(server);
    const creds = (await server.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token })).body;
    await target.superuser(`DROP OWNED BY "${creds.username}"`);
    await target.superuser(`DROP ROLE "${creds.username}"`);
    await sweep(61_000);
    expect((await server.runtime.leases.find(creds.lease_id))?.status).toBe('revoked');
  });

  it('rotates the root password so only Mandate knows it, on demand and on schedule', async () => {
    const before = await asUser(target.port, target.database, target.rootUser, target.rootPassword, 'SELECT 1 AS ok');
    expect(before.rows).toEqual([{ ok: 1 }]);
    expect((await server.api('POST', '/v1/db/main/rotate-root')).status).toBe(200);
    expect((await asUser(target.port, target.database, target.rootUser, target.rootPassword, 'SELECT 1')).code).toBe('28P01');
    const agent = await agentWithToken(server);
    expect((await server.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token })).status).toBe(200);
    const view = (await server.api('GET', '/v1/db/main')).body;
    // The root URL never comes out (the roles' templates name {{password}}, never a value).
    expect(JSON.stringify(view)).not.toContain('://');
    expect(JSON.stringify(view)).not.toContain(target.rootPassword);
    // Scheduled: 24 h later the rotation job gives it another new password.
    const rotatedAt = view.root_rotated_at;
    await sweep(24 * 3_600_000 + 300_000);
    expect((await server.api('GET', '/v1/db/main')).body.root_rotated_at).not.toBe(rotatedAt);
    expect((await auditOf(server, ['db.root.rotated'])).length).toBe(2);
  });

  it('a creation the target refuses leaves the lease revoked and audited, not deleted', async () => {
    const bad = { creation_statements: [...READER_ROLE.creation_statements, 'SELECT * FROM no_such_table'] };
    expect((await server.api('PUT', '/v1/db/main/roles/broken', bad)).status).toBe(200);
    const agent = await agentWithToken(server);
    const refused = await server.api('POST', '/v1/db/main/creds/broken', {}, { token: agent.token });
    expect(refused.status, JSON.stringify(refused.body)).toBe(502);
    const leases = (await server.api('GET', `/v1/leases?status=revoked&agent_id=${agent.id}`)).body.items;
    expect(leases).toHaveLength(1);
    expect(leases[0]).toMatchObject({ revoke_reason: 'creation failed' });
    expect((await auditOf(server, ['lease.revocation_requested'])).some((e) => e.subject === leases[0].lease_id)).toBe(true);
  });

  it('refuses credentials whose task closed while the role was being created, and drops the role', async () => {
    // A creation that takes half a second, so the task can close during it.
    const slow = { creation_statements: [...READER_ROLE.creation_statements, 'SELECT pg_sleep(0.5)'] };
    expect((await server.api('PUT', '/v1/db/main/roles/slow', slow)).status).toBe(200);
    const agent = await agentWithToken(server);
    const task = (await server.api('POST', '/v1/tasks', { ttl_seconds: 600 }, { token: agent.token })).body;
    const issuing = server.api('POST', '/v1/db/main/creds/slow', { task_id: task.id }, { token: agent.token });
    // Once the lease is recorded (before the role exists), the task ends.
    let lease: { lease_id: string } | undefined;
    while (!lease) lease = (await server.api('GET', `/v1/leases?agent_id=${agent.id}`)).body.items[0];
    expect((await server.api('POST', `/v1/tasks/${task.id}/complete`, {}, { token: agent.token })).status).toBe(200);
    const issued = await issuing;
    // Refused as a request for a closed task is; the lease is revoked, the role dropped.
    expect(issued.status, JSON.stringify(issued.body)).toBe(400);
    expect(issued.body.message).toContain(`task '${task.id}' is completed`);
    expect((await server.runtime.leases.find(lease.lease_id))?.status).toMatch(/^(revoking|revoked)$/);
    const [{ n }] = await target.superuser("SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'v_slow_%'");
    expect(n).toBe(0);
  });

  it('refuses credentials whose agent was suspended while the role was being created, and drops the role', async () => {
    const slow = { creation_statements: [...READER_ROLE.creation_statements, 'SELECT pg_sleep(0.5)'] };
    expect((await server.api('PUT', '/v1/db/main/roles/slowagent', slow)).status).toBe(200);
    const agent = await agentWithToken(server);
    const issuing = server.api('POST', '/v1/db/main/creds/slowagent', {}, { token: agent.token });
    while ((await server.api('GET', `/v1/leases?agent_id=${agent.id}`)).body.items.length === 0);
    expect((await server.api('POST', `/v1/agents/${agent.id}/suspend`, { reason: 'incident' })).status).toBe(200);
    const issued = await issuing;
    expect(issued.status, JSON.stringify(issued.body)).toBe(403);
    expect(issued.body.message).toContain(`agent ${agent.id} is suspended`);
    const [{ n }] = await target.superuser("SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'v_slowagent_%'");
    expect(n).toBe(0);
  });

  describe('a root rotation cut short, as by a crash', () => {
    const pending = async () =>
      ((await server.runtime.store.db.selectFrom('db_connections' as never).select('pending_sealed_url' as never).where('name' as never, '=', 'main' as never).executeTakeFirstOrThrow()) as { pending_sealed_url: string | null }).pending_sealed_url;
    const stopAt = (at: string) => (step: string) => {
      if (step === at) throw new Error(`stopped after ${step}`);
    };
    const actor = { kind: 'operator' as const, id: 'admin' };

    it('after the target took the new password: the next use finds it and completes the rotation (db.root.rotation_recovered)', async () => {
      await expect(server.runtime.databases.rotateRoot('main', actor, stopAt('target_changed'))).rejects.toThrow('stopped after target_changed');
      expect(await pending()).not.toBeNull();
      const agent = await agentWithToken(server);
      const issued = await server.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token });
      expect(issued.status, JSON.stringify(issued.body)).toBe(200);
      expect(await pending()).toBeNull();
      const recovered = await auditOf(server, ['db.root.rotation_recovered']);
      expect(recovered).toHaveLength(1);
      expect(recovered[0]).toMatchObject({ subject: 'main', details: { connection: 'main' } });
      // The credential the recovered root issued works.
      expect((await asUser(target.port, target.database, issued.body.username, issued.body.password, 'SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    });

    it('before the target changed: the pending URL is dropped once older than a rotation takes, and nothing else changes', async () => {
      const rotations = (await auditOf(server, ['db.root.rotated', 'db.root.rotation_recovered'])).length;
      await expect(server.runtime.databases.rotateRoot('main', actor, stopAt('pending_stored'))).rejects.toThrow('stopped after pending_stored');
      const agent = await agentWithToken(server);
      // Within the grace it may be a rotation under way elsewhere: kept, and the current root still serves.
      expect((await server.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token })).status).toBe(200);
      expect(await pending()).not.toBeNull();
      clock.advance(61_000);
      expect((await server.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token })).status).toBe(200);
      expect(await pending()).toBeNull();
      expect((await auditOf(server, ['db.root.rotated', 'db.root.rotation_recovered'])).length).toBe(rotations);
    });
  });

  it('while the database is down, revocation retries with backoff and raises "revocation failing"; once back, the role is revoked', async () => {
    const relay = new DatabaseRelay(target.port);
    await relay.up();
    // A second connection to the same database, through the relay (its root: a new superuser).
    const relayRoot = `relay_${Math.random().toString(36).slice(2, 8)}`;
    await target.superuser(`CREATE ROLE ${relayRoot} WITH LOGIN SUPERUSER PASSWORD 'relaypw'`);
    expect((await server.api('PUT', '/v1/db/relayed', { url: `postgres://${relayRoot}:relaypw@127.0.0.1:${relay.port}/${target.database}`, rotation_period_seconds: 0 })).status).toBe(200);
    expect((await server.api('PUT', '/v1/db/relayed/roles/reader', READER_ROLE)).status).toBe(200);
    const failing: RevocationFailing[] = [];
    const off = server.runtime.leases.onRevocationFailing((event) => failing.push(event));
    try {
      const agent = await agentWithToken(server);
      const creds = (await server.api('POST', '/v1/db/relayed/creds/reader', {}, { token: agent.token })).body;
      await relay.down();
      await sweep(61_000);
      let lease = (await server.runtime.leases.find(creds.lease_id))!;
      expect(lease).toMatchObject({ status: 'revoking', attempts: 1 });
      // Backoff: 1 s, then 2 s; nothing happens before the retry is due.
      await sweep(500);
      expect((await server.runtime.leases.find(creds.lease_id))!.attempts).toBe(1);
      await sweep(600);
      expect((await server.runtime.leases.find(creds.lease_id))!.attempts).toBe(2);
      expect(failing).toHaveLength(0);
      await sweep(2_100);
      lease = (await server.runtime.leases.find(creds.lease_id))!;
      expect(lease.attempts).toBe(3);
      expect(failing).toEqual([expect.objectContaining({ leaseId: creds.lease_id, attempts: 3, agentId: agent.id })]);
      expect((await auditOf(server, ['lease.revocation_failing'])).some((e) => e.subject === creds.lease_id)).toBe(true);
      // A real alert in the monitoring context: operators see it in GET /v1/alerts.
      await server.runtime.monitoring.idle();
      const alerts = (await server.api('GET', `/v1/alerts?signal=lease_revocation&agent=${agent.id}`)).body.items;
      expect(alerts).toEqual([expect.objectContaining({ agent_id: agent.id, signal: 'lease_revocation', severity: 'high', status: 'open', observed: 3, agent_suspended: false })]);
      expect(alerts[0].reason).toContain(`lease ${creds.lease_id}`);
      expect(await roleExists(creds.username)).toBe(true);
      await relay.up();
      await sweep(4_100);
      expect((await server.runtime.leases.find(creds.lease_id))!.status).toBe('revoked');
      expect(await roleExists(creds.username)).toBe(false);
      expect(failing).toHaveLength(1);
    } finally {
      off();
      await relay.down();
    }
  });

  it('a "revocation failing" alert whose audit entry fails is raised by the next failure, exactly once (the alert\'s audit write is made to throw once)', async () => {
    const relay = new DatabaseRelay(target.port);
    await relay.up();
    const relayRoot = `flaky_${Math.random().toString(36).slice(2, 8)}`;
    await target.superuser(`CREATE ROLE ${relayRoot} WITH LOGIN SUPERUSER PASSWORD 'relaypw'`);
    expect((await server.api('PUT', '/v1/db/flaky', { url: `postgres://${relayRoot}:relaypw@127.0.0.1:${relay.port}/${target.database}`, rotation_period_seconds: 0 })).status).toBe(200);
    expect((await server.api('PUT', '/v1/db/flaky/roles/reader', READER_ROLE)).status).toBe(200);
    const failing: RevocationFailing[] = [];
    const off = server.runtime.leases.onRevocationFailing((event) => failing.push(event));
    const agent = await agentWithToken(server);
    const creds = (await server.api('POST', '/v1/db/flaky/creds/reader', {}, { token: agent.token })).body;
    // Injected failure (a crash there cannot be produced on cue): the first audit write carrying
    // this lease's alert throws, through whichever write the lease manager uses (withEntry's
    // appendIn, or a separate append as before the fix).
    const audit = server.runtime.audit;
    const appendIn = audit.appendIn.bind(audit);
    const append = audit.append.bind(audit);
    let thrown = 0;
    const failsOnce = (events: readonly AuditEvent[]) => {
      if (thrown > 0 || !events.some((e) => e.type === 'lease.revocation_failing' && e.subject === creds.lease_id)) return false;
      thrown += 1;
      return true;
    };
    const spies = [
      vi.spyOn(audit, 'appendIn').mockImplementation((trx, events) => (failsOnce(events) ? Promise.reject(new Error('audit write failed')) : appendIn(trx, events))),
      vi.spyOn(audit, 'append').mockImplementation((...events) => (failsOnce(events) ? Promise.reject(new Error('audit write failed')) : append(...events))),
    ];
    const alertEntries = async () => (await auditOf(server, ['lease.revocation_failing'])).filter((e) => e.subject === creds.lease_id);
    try {
      await relay.down();
      await sweep(61_000);
      await sweep(1_100);
      expect((await server.runtime.leases.find(creds.lease_id))!.attempts).toBe(2);
      // The third failure reaches the threshold; its alert's entry fails, and the count rolls back with it.
      await sweep(2_100);
      expect(thrown).toBe(1);
      expect(failing).toEqual([]);
      expect(await alertEntries()).toEqual([]);
      expect((await server.runtime.leases.find(creds.lease_id))!).toMatchObject({ status: 'revoking', attempts: 2 });
      // The next failure reaches it again and raises the alert: entry, listeners, monitoring.
      await sweep(4_100);
      expect(failing).toEqual([expect.objectContaining({ leaseId: creds.lease_id, attempts: 3, agentId: agent.id })]);
      expect(await alertEntries()).toHaveLength(1);
      await server.runtime.monitoring.idle();
      const alerts = (await server.api('GET', `/v1/alerts?signal=lease_revocation&agent=${agent.id}`)).body.items;
      expect(alerts).toEqual([expect.objectContaining({ agent_id: agent.id, signal: 'lease_revocation', observed: 3 })]);
      // Once: later failures do not raise it again.
      await sweep(8_100);
      expect((await server.runtime.leases.find(creds.lease_id))!.attempts).toBe(4);
      expect(failing).toHaveLength(1);
      expect(await alertEntries()).toHaveLength(1);
      await relay.up();
      await sweep(16_100);
      expect((await server.runtime.leases.find(creds.lease_id))!.status).toBe('revoked');
      expect(await roleExists(creds.username)).toBe(false);
    } finally {
      for (const spy of spies) spy.mockRestore();
      off();
      await relay.down();
    }
  });
});
