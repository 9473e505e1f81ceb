/**
 * `npm run bench -- token`: Mandate's token endpoint beside oidc-provider 9 in the same run.
 *
 * Both issue the same thing: a client-credentials JWT access token signed with Ed25519
 * (EdDSA), lifetime 600 s, client authenticated by client_secret_basic. oidc-provider is
 * configured as PEERS.md says (resourceIndicators with a JWT resource server, in-memory
 * adapter); Mandate runs on SQLite with its audit log writing every issuance (group commit).
 * Each server runs in its own process pinned to CPU 0 (`taskset -c 0`); the load generator
 * (wrk with one thread when installed, else autocannon in this process; `--autocannon` forces
 * it) is pinned to CPU 1. 50 connections, a warm-up, then measured runs: `--runs N` (default 3)
 * of `--seconds S` (default 10), alternating servers, reporting medians.
 *
 * A third server gives the floor of the machine: Fastify parsing the same form and Basic header
 * and signing the same JWT with node:crypto's Ed25519 (`sign`, key imported once), with no client
 * check, store, limiter or audit. No token endpoint can beat it here, so the ratio floor /
 * oidc-provider bounds any goal stated as a multiple of oidc-provider.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchMandate } from './support/mandate.js';
import { runOptions } from './support/options.js';
import { basicAuthorization, pinDriver, spawnRole } from './support/processes.js';
import { loadWithAutocannon, median, summarise, type Measured as Run } from './support/stats.js';

const SCOPE = 'api.read api.write';
const AUDIENCE = 'https://api.example.com';
const TTL = 600;

interface Target {
  name: string;
  url: string;
  authorization: string;
  body: string;
}

// ---- the servers (child processes) --------------------------------------------------------------

async function serveMandate(): Promise<void> {
  const { server, dataDir } = await startBenchMandate('mandate-bench-', {
    // The limiter still runs on every request; the bench's single client must not hit it.
    oauth: { tokenRateLimitPerMinute: 1_000_000_000, accessTokenTtlSeconds: TTL },
  });
  const registered = await server.runtime.registry.register(
    { name: 'bench agent', purpose: 'benchmark', owner: 'bench@example.com', scopes: SCOPE.split(' '), tools: [], dataClassification: 'internal', environment: 'production' },
    { kind: 'system', id: 'bench' },
  );
  const rs = await server.runtime.oauth.resourceServers.create({ audience: AUDIENCE, scopes: SCOPE.split(' '), name: 'bench api' }, { kind: 'system', id: 'bench' });
  void rs;
  process.stdout.write(`${JSON.stringify({ url: `${server.url}/oauth2/token`, clientId: registered.clientId, secret: registered.clientSecret, dataDir })}\n`);
}

async function serveOidcProvider(): Promise<void> {
  const { default: Provider } = await import('oidc-provider');
  const port = Number(process.env.BENCH_PORT);
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'EdDSA', use: 'sig' };
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: 'bench',
        client_secret: 'bench-secret-bench-secret-bench-secret',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        // Only an Ed25519 key is configured; the client's (unused) id token alg must match it.
        id_token_signed_response_alg: 'EdDSA',
      },
    ],
    scopes: SCOPE.split(' '),
    jwks: { keys: [jwk as never] },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: SCOPE, audience: AUDIENCE, accessTokenTTL: TTL, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'EdDSA' } } }),
      },
    },
  });
  await new Promise<void>((resolve) => provider.listen(port, '127.0.0.1' as never, resolve as never));
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/token`, clientId: 'bench', secret: 'bench-secret-bench-secret-bench-secret' })}\n`);
}

/** The floor: form + Basic header parsed, one Ed25519 JWT signed with node:crypto; nothing checked or stored. */
async function serveFloor(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const port = Number(process.env.BENCH_PORT);
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync('ed25519');
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt', kid: 'bench' })).toString('base64url');
  const app = Fastify();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, new URLSearchParams(body as string)));
  app.post('/token', async (request, reply) => {
    const [clientId] = Buffer.from((request.headers.authorization ?? '').slice('Basic '.length), 'base64').toString().split(':');
    const form = request.body as URLSearchParams;
    if (form.get('grant_type') !== 'client_credentials' || !clientId) return reply.status(400).send({ error: 'invalid_request' });
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: issuer, sub: clientId, aud: AUDIENCE, client_id: clientId, scope: SCOPE, iat: now, exp: now + TTL, jti: randomUUID() };
    const signingInput = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const signature = sign(null, Buffer.from(signingInput), privateKey).toString('base64url');
    void reply.header('cache-control', 'no-store');
    return { access_token: `${signingInput}.${signature}`, token_type: 'Bearer', expires_in: TTL, scope: SCOPE };
  });
  await app.listen({ port, host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ url: `${issuer}/token`, clientId: 'bench', secret: 'bench-secret' })}\n`);
}

// ---- the driver ---------------------------------------------------------------------------------

type Role = 'mandate' | 'oidc-provider' | 'floor';
const PORT_BASE: Record<Role, number> = { mandate: 21000, 'oidc-provider': 23000, floor: 29000 };

const self = fileURLToPath(import.meta.url);

async function spawnServer(role: Role, pinned: boolean): Promise<{ child: ChildProcess; target: Target; dataDir?: string }> {
  const { child, line } = await spawnRole(self, role, PORT_BASE[role], pinned);
  const info = JSON.parse(line) as { url: string; clientId: string; secret: string; dataDir?: string };
  const authorization = basicAuthorization(info.clientId, info.secret);
  const body = role === 'mandate' ? `grant_type=client_credentials&resource=${encodeURIComponent(AUDIENCE)}` : 'grant_type=client_credentials';
  return { child, target: { name: role, url: info.url, authorization, body }, ...(info.dataDir ? { dataDir: info.dataDir } : {}) };
}

interface Measured extends Run {
  /** Requests completed in the run (for CPU per request). */
  requests: number;
  /** Server CPU time (user + system) per request, microseconds. */
  cpuUs?: number;
}

/**
 * CPU time of a process in microseconds (Linux /proc; null elsewhere). On a shared machine
 * throughput swings with other load, while CPU per request stays comparable.
 */
function cpuMicros(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1_000_000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version exits 1 after printing; only a missing binary is ENOENT.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** wrk prints latencies as "1.23ms", "456.00us" or "1.02s". */
function wrkMs(text: string): number {
  const match = /([\d.]+)(us|ms|s)\b/.exec(text);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

function loadWithWrk(target: Target, seconds: number, pinned: boolean): Measured {
  const scriptDir = mkdtempSync(join(tmpdir(), 'mandate-wrk-'));
  const script = join(scriptDir, 'post.lua');
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = "${target.body}"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\nwrk.headers["Authorization"] = "${target.authorization}"\n`,
  );
  const args = ['-t1', '-c50', `-d${seconds}s`, '--latency', '-s', script, target.url];
  let out: string;
  try {
    out = pinned ? execFileSync('taskset', ['-c', '1', 'wrk', ...args], { encoding: 'utf8' }) : execFileSync('wrk', args, { encoding: 'utf8' });
  } finally {
    rmSync(scriptDir, { recursive: true, force: true });
  }
  if (!/requests in/.test(out)) console.warn(`wrk measured nothing against ${target.name}:\n${out}`);
  const line = (label: string) => out.split('\n').find((l) => l.trim().startsWith(label)) ?? '';
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors:.*?timeout (\d+)/.exec(out)?.[1] ?? 0);
  return {
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    p50: wrkMs(line('50%').replace('50%', '')),
    p99: wrkMs(line('99%').replace('99%', '')),
    errors,
  };
}

async function load(target: Target, seconds: number, useWrk: boolean, pinned: boolean): Promise<Measured> {
  if (useWrk) return loadWithWrk(target, seconds, pinned);
  const headers = { 'content-type': 'application/x-www-form-urlencoded', authorization: target.authorization };
  return loadWithAutocannon(target.url, headers, target.body, seconds);
}

async function check(target: Target): Promise<void> {
  const response = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: target.authorization }, body: target.body });
  const json = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || !json.access_token) throw new Error(`${target.name} did not issue a token: ${response.status} ${JSON.stringify(json)}`);
  const header = JSON.parse(Buffer.from(json.access_token.split('.')[0]!, 'base64url').toString()) as { alg: string };
  if (header.alg !== 'EdDSA') throw new Error(`${target.name} signs with ${header.alg}, not EdDSA`);
}

export async function run(args: string[]): Promise<void> {
  const { runs, seconds, warmup } = runOptions(args);
  const pinned = pinDriver();
  const useWrk = !args.includes('--autocannon') && hasWrk();
  const generator = useWrk ? 'wrk (1 thread)' : 'autocannon';
  console.log(`servers ${pinned ? 'pinned to CPU 0' : 'unpinned'}, ${generator} ${pinned ? 'pinned to CPU 1' : 'unpinned'}; 50 connections; ${warmup} s warm-up, ${runs} × ${seconds} s per server`);
  const servers = [await spawnServer('mandate', pinned), await spawnServer('oidc-provider', pinned), await spawnServer('floor', pinned)];
  const results = new Map<string, Measured[]>();
  try {
    for (const { target } of servers) {
      await check(target);
      await load(target, warmup, useWrk, pinned);
      results.set(target.name, []);
    }
    for (let i = 0; i < runs; i += 1) {
      for (const { target, child } of i % 2 === 0 ? servers : [...servers].reverse()) {
        const before = cpuMicros(child.pid!);
        const measured = await load(target, seconds, useWrk, pinned);
        const after = cpuMicros(child.pid!);
        if (before !== null && after !== null && measured.requests > 0) measured.cpuUs = (after - before) / measured.requests;
        results.get(target.name)!.push(measured);
      }
    }
  } finally {
    for (const { child, dataDir } of servers) {
      child.kill('SIGTERM');
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const summary = [...results].map(([name, ms]) => ({
    ...summarise(name, ms),
    cpu: ms.every((m) => m.cpuUs !== undefined) ? median(ms.map((m) => m.cpuUs!)) : Number.NaN,
  }));
  console.log('\n| server | tokens/s (median) | p50 ms | p99 ms | server CPU µs/token | errors | runs (tokens/s) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const s of summary) console.log(`| ${s.name} | ${Math.round(s.rps)} | ${s.p50} | ${s.p99} | ${Math.round(s.cpu)} | ${s.errors} | ${s.all} |`);
  const [mandate, peer, floor] = summary;
  if (mandate && peer) {
    console.log(`\nratio Mandate / oidc-provider: ${(mandate.rps / peer.rps).toFixed(2)}× tokens/s, ${(peer.cpu / mandate.cpu).toFixed(2)}× less CPU per token`);
  }
  if (mandate && peer && floor) {
    console.log(`floor (Fastify + node:crypto sign, nothing checked or stored) / oidc-provider: ${(floor.rps / peer.rps).toFixed(2)}× tokens/s; Mandate at ${((mandate.rps / floor.rps) * 100).toFixed(0)} % of the floor`);
  }
}

if (process.env.BENCH_ROLE === 'mandate') await serveMandate();
else if (process.env.BENCH_ROLE === 'oidc-provider') await serveOidcProvider();
else if (process.env.BENCH_ROLE === 'floor') await serveFloor();
