/**
 * `npm run bench -- authorize`: `POST /v1/authorize` decisions per second and p99 at 50
 * connections, beside a ceiling in the same run: a minimal Fastify endpoint that only verifies
 * the same access token with jose (signature, typ, iss, aud, exp) and answers `allow`.
 *
 * Mandate runs on SQLite with the default policy bundle: each decision verifies the agent's
 * token (claims cached until exp), consults the revocation state, reads the agent (cached 1 s),
 * builds the input, evaluates package mandate.authz and writes the decision to the audit log
 * (group commit). Each server runs in its own process pinned to CPU 0 (`taskset -c 0`);
 * autocannon runs in this process, pinned to CPU 1. A warm-up, then `--runs N` (default 3) of
 * `--seconds S` (default 10) per server, alternating, reporting medians. Goal: ≥ 60 % of the ceiling.
 *
 * A third server is the floor of a decision on this machine: Fastify parsing the same body and
 * Bearer header, the token verified once (jose, then kept by its text until it expires), the
 * same input built (policy/input.ts) and the same default bundle evaluated by the same engine
 * (policy/package-eval.ts), the decision answered. Nothing else: no revocation check, rate
 * limit, approval lookup, request hooks, monitoring or audit entry. The floor is not a peer but
 * a bound: it shows what the endpoint's own guarantees (an audited decision above all) cost,
 * in the same run, where a fixed figure from another day cannot.
 */
import { type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBenchMandate } from './support/mandate.js';
import { runOptions } from './support/options.js';
import { basicAuthorization, pinDriver, spawnRole } from './support/processes.js';
import { loadWithAutocannon, summarise, type Measured } from './support/stats.js';

export const REQUEST = {
  action: 'read',
  tool: 'google-calendar-api:events.list',
  resource: { type: 'calendar', id: 'primary', owner: 'bench@example.com', sensitivity: 'internal' },
  context: { ticket: 'BENCH-1' },
};

interface Target {
  name: string;
  url: string;
  token: string;
}

// ---- the servers (child processes) --------------------------------------------------------------

async function serveMandate(): Promise<void> {
  // BENCH_FLAGS: extra configuration as JSON (e.g. '{"audit":{"groupCommitMaxDelayMs":2}}'), to compare settings.
  const extra = JSON.parse(process.env.BENCH_FLAGS ?? '{}') as Record<string, unknown>;
  // One agent sends every decision: its per-agent decision rate limit is lifted, as the token
  // bench lifts the token rate limit (the ceiling has none; the limit is measured by tests).
  const { server, issuer } = await startBenchMandate('mandate-bench-authz-', {
    oauth: { accessTokenTtlSeconds: 900 },
    policy: { decisionsPerMinutePerAgent: 1_000_000_000 },
    ...extra,
  });
  const registered = await server.runtime.registry.register(
    {
      name: 'bench agent',
      purpose: 'calendar-management',
      owner: 'bench@example.com',
      scopes: ['calendar:read'],
      tools: ['google-calendar-api'],
      dataClassification: 'confidential',
      environment: 'production',
      tokenTtlSeconds: 900,
    },
    { kind: 'system', id: 'bench' },
  );
  const authorization = basicAuthorization(registered.clientId, registered.clientSecret);
  const res = await fetch(`${issuer}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization }, body: 'grant_type=client_credentials' });
  const { access_token: token } = (await res.json()) as { access_token: string };
  const jwks = await (await fetch(`${issuer}/.well-known/jwks.json`)).json();
  process.stdout.write(`${JSON.stringify({ url: `${issuer}/v1/authorize`, token, jwks, issuer, agent: registered.agent })}\n`);
}

/** The ceiling: verify the bearer token with jose and nothing else. */
async function serveCeiling(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { createLocalJWKSet, jwtVerify } = await import('jose');
  const { jwks, issuer } = JSON.parse(process.env.BENCH_KEYS!) as { jwks: { keys: never[] }; issuer: string };
  const keys = createLocalJWKSet(jwks);
  const app = Fastify();
  app.post('/v1/authorize', async (request, reply) => {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    try {
      await jwtVerify(token ?? '', keys, { issuer, audience: issuer, typ: 'at+jwt' });
    } catch {
      return reply.status(401).send({ error: 'unauthenticated' });
    }
    return { decision: 'allow', reasons: [], obligations: [] };
  });
  const port = Number(process.env.BENCH_PORT);
  await app.listen({ port, host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/v1/authorize` })}\n`);
}

/** The floor: parse, the token verified once, the same input and the same Rego evaluation; nothing else. */
async function serveFloor(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { createLocalJWKSet, jwtVerify } = await import('jose');
  const { RObject } = await import('@mandate/rego');
  const { buildInput } = await import('../src/policy/input.js');
  const { evaluatePackage, DEFAULT_PACKAGE } = await import('../src/policy/package-eval.js');
  const { decide } = await import('../src/policy/outcome.js');
  const { compilePolicy } = await import('../src/policy/compile.js');
  const { loadDefaultBundle } = await import('../src/policy/default-bundle.js');
  const { jwks, issuer, agent } = JSON.parse(process.env.BENCH_KEYS!) as { jwks: { keys: never[] }; issuer: string; agent: Parameters<typeof buildInput>[0] };
  const keys = createLocalJWKSet(jwks);
  const policy = { prepared: compilePolicy(loadDefaultBundle()), data: new RObject() };
  const verified = new Map<string, Parameters<typeof buildInput>[1]>();
  const limits = { maxSteps: 100_000, timeoutMs: 1_000 };
  const app = Fastify();
  app.post('/v1/authorize', async (request, reply) => {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    let claims = verified.get(token);
    if (!claims || claims.exp * 1000 <= Date.now()) {
      try {
        claims = (await jwtVerify(token, keys, { issuer, audience: issuer, typ: 'at+jwt' })).payload as unknown as Parameters<typeof buildInput>[1];
      } catch {
        return reply.status(401).send({ error: 'unauthenticated' });
      }
      verified.set(token, claims);
    }
    const nowMs = Date.now();
    const input = buildInput(agent, claims, request.body as Parameters<typeof buildInput>[2], { nowMs, caller: { kind: 'agent', id: agent.id }, approval: { exists: false, id: null } });
    const outcome = decide(evaluatePackage(policy, DEFAULT_PACKAGE, input, BigInt(nowMs) * 1_000_000n, limits), { exists: false, refused: null });
    return { decision: outcome.decision, reasons: outcome.reasons, obligations: [] };
  });
  const port = Number(process.env.BENCH_PORT);
  await app.listen({ port, host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/v1/authorize` })}\n`);
}

// ---- the driver ---------------------------------------------------------------------------------

const self = fileURLToPath(import.meta.url);

type Role = 'mandate' | 'ceiling' | 'floor';
const PORT_BASE: Record<Role, number> = { mandate: 25000, ceiling: 27000, floor: 31000 };

async function spawnServer(role: Role, pinned: boolean, env: Record<string, string> = {}): Promise<{ child: ChildProcess; info: Record<string, any> }> {
  const { child, line } = await spawnRole(self, role, PORT_BASE[role], pinned, env);
  return { child, info: JSON.parse(line) as Record<string, any> };
}

async function load(target: Target, seconds: number): Promise<Measured> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${target.token}` };
  return loadWithAutocannon(target.url, headers, JSON.stringify(REQUEST), seconds);
}

async function check(target: Target): Promise<void> {
  const response = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` }, body: JSON.stringify(REQUEST) });
  const json = (await response.json()) as { decision?: string };
  if (response.status !== 200 || json.decision !== 'allow') throw new Error(`${target.name} did not allow: ${response.status} ${JSON.stringify(json)}`);
}

export async function run(args: string[]): Promise<void> {
  const { runs, seconds, warmup } = runOptions(args);
  const pinned = pinDriver();
  console.log(`servers ${pinned ? 'pinned to CPU 0' : 'unpinned'}, autocannon ${pinned ? 'pinned to CPU 1' : 'unpinned'}; 50 connections; ${warmup} s warm-up, ${runs} × ${seconds} s per server`);
  const mandate = await spawnServer('mandate', pinned);
  const keys = { BENCH_KEYS: JSON.stringify({ jwks: mandate.info.jwks, issuer: mandate.info.issuer, agent: mandate.info.agent }) };
  const ceiling = await spawnServer('ceiling', pinned, keys);
  const floor = await spawnServer('floor', pinned, keys);
  const targets: Target[] = [
    { name: 'Mandate /v1/authorize (default bundle, audited)', url: mandate.info.url, token: mandate.info.token },
    { name: 'ceiling: Fastify + jose jwtVerify only', url: ceiling.info.url, token: mandate.info.token },
    { name: 'floor: Fastify + token verified once + the same input and Rego evaluation, nothing else', url: floor.info.url, token: mandate.info.token },
  ];
  const results = new Map<string, Measured[]>();
  try {
    for (const target of targets) {
      await check(target);
      await load(target, warmup);
      results.set(target.name, []);
    }
    for (let i = 0; i < runs; i += 1) {
      for (const target of i % 2 === 0 ? targets : [...targets].reverse()) results.get(target.name)!.push(await load(target, seconds));
    }
  } finally {
    for (const server of [mandate, ceiling, floor]) server.child.kill('SIGTERM');
  }
  const summary = [...results].map(([name, ms]) => summarise(name, ms));
  console.log('\n| server | decisions/s (median) | p50 ms | p99 ms | errors | runs (decisions/s) |');
  console.log('|---|---|---|---|---|---|');
  for (const s of summary) console.log(`| ${s.name} | ${Math.round(s.rps)} | ${s.p50} | ${s.p99} | ${s.errors} | ${s.all} |`);
  const [ours, top, bound] = summary;
  if (ours && top) console.log(`\nMandate / ceiling: ${((ours.rps / top.rps) * 100).toFixed(0)} % (goal ≥ 60 %)`);
  if (ours && bound) console.log(`Mandate at ${((ours.rps / bound.rps) * 100).toFixed(0)} % of the floor (the same decision with nothing audited, limited or hooked)`);
}

if (process.env.BENCH_ROLE === 'mandate') await serveMandate();
else if (process.env.BENCH_ROLE === 'ceiling') await serveCeiling();
else if (process.env.BENCH_ROLE === 'floor') await serveFloor();
