import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basic } from '../support/agents.js';
import { pgServerUrl, queryOnce } from '../support/pg.js';
import { startReplicaSet, within, type ReplicaSet } from '../support/replicas.js';
import { READER_ROLE, targetDatabase } from '../secrets/support.js';

/**
 * Three real Mandate replicas (built dist/, separate processes on loopback ports) on one
 * PostgreSQL (docs/replicas.md): a suspension made through one is refused by the others
 * within a second, the leader's death hands the singleton jobs (lease expiry) to another
 * replica that revokes on time, and concurrent writes through all three leave one audit chain
 * that verifies with no gap.
 */
const builtCli = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'dist', 'cli', 'main.js');
const pgUrl = pgServerUrl();
const children: ChildProcess[] = [];
const killAll = () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
/** Three processes starting on a loaded 2-core machine take a while; the waits inside are bounded by the assertions. */
const SLOW = 300_000;

/** Short intervals so failover and expiry fit in a test (the defaults are in config/defaults.ts). */
const FAST = { replicas: { leaderRetryMs: 200, catchUpIntervalMs: 1_000 }, secrets: { leaseSweepIntervalMs: 200 } };

const AGENT = {
  purpose: 'books meetings',
  owner: 'alice@example.com',
  scopes: ['calendar.read', 'calendar.write'],
  tools: ['google-calendar-api'],
  data_classification: 'internal',
  environment: 'production',
};

async function register(set: ReplicaSet, url: string, name: string): Promise<{ id: string; clientId: string; secret: string }> {
  const { status, body } = await set.call(url, 'POST', '/v1/agents', { ...AGENT, name });
  expect(status).toBe(201);
  return { id: body.agent.id, clientId: body.client_id, secret: body.client_secret };
}

async function token(set: ReplicaSet, url: string, agent: { clientId: string; secret: string }): Promise<{ status: number; token?: string; jti?: string }> {
  const { status, body } = await set.form(url, '/oauth2/token', { grant_type: 'client_credentials', scope: 'calendar.read' }, { authorization: basic(agent.clientId, agent.secret) });
  if (status !== 200) return { status };
  const jti = JSON.parse(Buffer.from(String(body.access_token).split('.')[1]!, 'base64url').toString('utf8')).jti as string;
  return { status, token: body.access_token as string, jti };
}

async function introspect(set: ReplicaSet, url: string, accessToken: string): Promise<boolean> {
  const { status, body } = await set.form(url, '/oauth2/introspect', { token: accessToken }, { authorization: `Bearer ${set.adminToken}` });
  expect(status).toBe(200);
  return body.active === true;
}

describe.skipIf(pgUrl === null || !existsSync(builtCli))('three replicas on one PostgreSQL', () => {
  let set: ReplicaSet;
  beforeAll(async () => {
    set = await startReplicaSet(3, children, FAST);
  }, SLOW);
  afterAll(killAll);

  it('refuses, on B and C, an agent suspended through A within one second (introspection and the token endpoint)', async () => {
    const [a, b, c] = set.replicas.map((r) => r.url) as [string, string, string];
    const agent = await register(set, a, 'suspended-elsewhere');
    const issued = await token(set, a, agent);
    expect(issued.status).toBe(200);
    // Each replica has seen the token and the agent (caches warm: the hard case).
    for (const url of [a, b, c]) expect(await introspect(set, url, issued.token!)).toBe(true);
    expect((await token(set, b, agent)).status).toBe(200);
    expect((await token(set, c, agent)).status).toBe(200);

    expect((await set.call(a, 'POST', `/v1/agents/${agent.id}/suspend`, { reason: 'replica test' })).status).toBe(200);
    // From the moment A answered (the suspension committed), each check on B and C polls on its own.
    const committed = performance.now();
    const checks = [b, c].flatMap((url) => [
      within(1_000, async () => !(await introspect(set, url, issued.token!)), 5),
      within(1_000, async () => (await token(set, url, agent)).status !== 200, 5),
    ]);
    const refused = await Promise.all(checks);
    // Measured from just after `committed`: each poller started then.
    expect(performance.now() - committed).toBeGreaterThanOrEqual(Math.max(...refused));
    expect(refused).toHaveLength(4);
    for (const ms of refused) expect(ms).toBeLessThan(1_000);
  }, SLOW);

  it('keeps one audit chain with no gap under concurrent registrations and token issuance through all three', async () => {
    const urls = set.replicas.map((r) => r.url);
    const PER_REPLICA = 8;
    const TOKENS_EACH = 4;
    const [before] = await queryOnce(set.databaseUrl, "select count(*)::int as n from audit_entries where type = 'agent.registered'");
    const agents = await Promise.all(urls.flatMap((url, r) => Array.from({ length: PER_REPLICA }, (_, i) => register(set, url, `concurrent ${r}-${i}`))));
    const jtis = (
      await Promise.all(
        agents.flatMap((agent) =>
          Array.from({ length: TOKENS_EACH }, async (_, k) => {
            const issued = await token(set, urls[k % urls.length]!, agent);
            expect(issued.status).toBe(200);
            return issued.jti!;
          }),
        ),
      )
    ).sort();
    expect(jtis).toHaveLength(agents.length * TOKENS_EACH);

    for (const url of urls) {
      const { status, body } = await set.call(url, 'GET', '/v1/audit/verify');
      expect(status).toBe(200);
      expect(body.ok).toBe(true);
    }
    const [span] = await queryOnce(set.databaseUrl, 'select count(*)::int as count, min(seq)::int as first, max(seq)::int as last from audit_entries');
    expect(span).toMatchObject({ first: 1, last: span.count });
    const registered = await queryOnce(set.databaseUrl, "select count(*)::int as n from audit_entries where type = 'agent.registered'");
    expect(registered[0].n - before.n).toBe(agents.length);
    // Every token issued through any replica is in the one chain.
    const logged = new Set(
      (await queryOnce(set.databaseUrl, "select details from audit_entries where type = 'oauth.token.issued'")).flatMap((row: { details: string }) =>
        (JSON.parse(row.details) as { tokens: Array<{ jti: string }> }).tokens.map((t) => t.jti),
      ),
    );
    expect(jtis.filter((jti) => !logged.has(jti))).toEqual([]);
  }, SLOW);
});

describe.skipIf(pgUrl === null || !existsSync(builtCli))('leader failover', () => {
  afterEach(killAll);

  it('hands the singleton jobs to another replica when the leader is SIGKILLed; it revokes the live leases on time', async () => {
    const target = await targetDatabase(pgUrl!);
    const set = await startReplicaSet(3, children, FAST);
    const leaders = await set.leaders();
    expect(leaders.filter(Boolean)).toHaveLength(1);
    const leaderIndex = leaders.indexOf(true);
    const follower = set.replicas.find((_, i) => i !== leaderIndex)!.url;
    // /v1/jobs and the metric say the same as /readyz.
    const jobs = await set.call(set.replicas[leaderIndex]!.url, 'GET', '/v1/jobs');
    expect(jobs.body).toMatchObject({ leader: true });
    expect(await (await fetch(`${set.replicas[leaderIndex]!.url}/metrics`, { headers: { authorization: `Bearer ${set.adminToken}` } })).text()).toMatch(/^mandate_replica_leader 1$/m);
    expect((await set.call(follower, 'GET', '/v1/jobs')).body).toMatchObject({ leader: false, leader_since: null });

    expect((await set.call(follower, 'PUT', '/v1/db/main', { url: `postgres://${target.rootUser}:${target.rootPassword}@127.0.0.1:${target.port}/${target.database}` })).status).toBe(200);
    expect((await set.call(follower, 'PUT', '/v1/db/main/roles/reader', READER_ROLE)).status).toBe(200);
    const issued: Array<{ username: string; lease_id: string; expires_at: string }> = [];
    for (let i = 0; i < 3; i += 1) {
      const { status, body } = await set.call(follower, 'POST', '/v1/db/main/creds/reader', { ttl: 8 });
      expect(status).toBe(200);
      issued.push(body);
    }
    const names = issued.map((c) => c.username);
    const live = async () => (await target.superuser('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [names])).length;
    expect(await live()).toBe(3);

    const dead = set.replicas[leaderIndex]!;
    dead.child.kill('SIGKILL');
    await dead.exited;
    const killedAt = Date.now();
    // The leases were still live when their leader died: only another replica can revoke them.
    expect(killedAt).toBeLessThan(Math.min(...issued.map((c) => Date.parse(c.expires_at))));
    const takeover = await within(5_000, async () => (await set.leaders()).filter(Boolean).length === 1, 50);
    const after = await set.leaders();
    expect(after[leaderIndex]).toBe(false);
    // Bounded: PostgreSQL frees the lock when the dead process's socket closes; a follower takes it at its next round.
    expect(takeover).toBeLessThan(3_000);

    let leases: Array<{ status: string; revoked_at: string | null; expires_at: string }> = [];
    await within(15_000, async () => {
      leases = (await set.call(follower, 'GET', '/v1/leases?status=active,revoking,revoked')).body.items;
      return leases.length === 3 && leases.every((l) => l.status === 'revoked');
    }, 100);
    for (const lease of leases) {
      const revokedAt = Date.parse(lease.revoked_at!);
      // On time: never before expiry, within a few sweep rounds after it (or after the takeover, if that came later).
      expect(revokedAt).toBeGreaterThanOrEqual(Date.parse(lease.expires_at));
      expect(revokedAt - Math.max(Date.parse(lease.expires_at), killedAt + takeover)).toBeLessThan(3_000);
    }
    expect(await live()).toBe(0);
  }, SLOW);
});
