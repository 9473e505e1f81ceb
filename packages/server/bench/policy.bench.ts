/**
 * Policy decisions in process: Mandate's Rego engine (seed policy, prepared once) beside
 * @cedar-policy/cedar-wasm with the equivalent Cedar policy (pre-parsed once), same inputs.
 *
 * Fairness (the peers are configured as docs/benchmarks.md describes): both sides start from the same plain JS request object and
 * pay for converting it (Rego: to engine values; Cedar: JSON context across the wasm boundary).
 * Cedar gets everything in the context (no entities), its cheapest configuration, and time as ms
 * in the context because Cedar has no now(). A decision is allow && !deny on both sides.
 *
 *   npm run bench -- policy [--iterations=N]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileModules, fromJSON, type Value } from '@mandate/rego';
import { NOW_NS, SEED_POLICY_V1 } from '../test/rego/seed-policy.js';

const CEDAR_POLICY = `
permit (principal, action == Action::"read", resource)
when {
  context.purpose == "calendar-management" &&
  context.resource_type == "calendar-events" &&
  context.resource_owner == context.delegating_user &&
  context.now_ms < context.token_expiry_ms
};
forbid (principal, action == Action::"delete", resource)
unless { context.human_approval };
forbid (principal, action, resource)
when { context.resource_owner != context.delegating_user }
unless { context.has_admin_scope };
`;

const NOW_MS = Number(NOW_NS / 1_000_000n);

/** The requests, as a decision point receives them (plain JSON). */
function requests(): { action: string; owner: string }[] {
  return [
    { action: 'read', owner: 'alice' },
    { action: 'delete', owner: 'alice' },
    { action: 'read', owner: 'bob' },
    { action: 'write', owner: 'alice' },
  ];
}

function regoInput(r: { action: string; owner: string }): Record<string, unknown> {
  return {
    agent: { purpose: 'calendar-management', delegating_user: 'alice', token_expiry_ns: 1_767_229_200_000_000_000, has_admin_scope: false },
    action: r.action,
    resource: { type: 'calendar-events', owner: r.owner },
    human_approval: { exists: false },
  };
}

interface Stats {
  medianUs: number;
  p99Us: number;
  perSecond: number;
}

function measure(iterations: number, decide: (i: number) => boolean): Stats {
  for (let i = 0; i < Math.min(20_000, iterations); i++) decide(i); // warm up the JIT
  // latency: each decision timed on its own
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    decide(i);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  samples.sort();
  // throughput: an untimed loop (no clock reads between decisions)
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) decide(i);
  const totalS = Number(process.hrtime.bigint() - started) / 1e9;
  return { medianUs: samples[Math.floor(iterations / 2)]!, p99Us: samples[Math.floor(iterations * 0.99)]!, perSecond: iterations / totalS };
}

export async function run(args: string[]): Promise<void> {
  const flag = args.find((a) => a.startsWith('--iterations='));
  const iterations = flag ? Number(flag.split('=')[1]) : 100_000;
  const reqs = requests();
  const expected = [true, false, false, false];

  // Mandate: compiled once; per decision the plain request becomes engine values, then allow/deny.
  const policy = compileModules({ 'authz.rego': SEED_POLICY_V1 });
  const allowQ = policy.prepareQuery('x = data.mandate.authz.allow');
  const denyQ = policy.prepareQuery('x = data.mandate.authz.deny');
  void allowQ;
  void denyQ;
  const regoInputs = reqs.map(regoInput);
  const regoDecide = (i: number): boolean => {
    const input: Value = fromJSON(regoInputs[i & 3]);
    const doc = policy.evaluate('data.mandate.authz', { input, nowNs: NOW_NS });
    const d = doc as { get(k: string): Value | undefined };
    return d.get('allow') === true && d.get('deny') !== true;
  };

  // Cedar: policy set pre-parsed once; per decision the request crosses into wasm as JSON.
  const cedar = await import('@cedar-policy/cedar-wasm/nodejs');
  const parsed = cedar.preparsePolicySet('seed', { staticPolicies: CEDAR_POLICY });
  if (parsed.type !== 'success') throw new Error(`cedar policy: ${JSON.stringify(parsed)}`);
  const cedarDecide = (i: number): boolean => {
    const r = reqs[i & 3]!;
    const answer = cedar.statefulIsAuthorized({
      principal: { type: 'Agent', id: 'agent-1' },
      action: { type: 'Action', id: r.action },
      resource: { type: 'Resource', id: 'calendar-events' },
      context: {
        purpose: 'calendar-management',
        delegating_user: 'alice',
        token_expiry_ms: 1_767_229_200_000,
        has_admin_scope: false,
        resource_type: 'calendar-events',
        resource_owner: r.owner,
        human_approval: false,
        now_ms: NOW_MS,
      },
      entities: [],
      preparsedPolicySetId: 'seed',
    });
    if (answer.type !== 'success') throw new Error(JSON.stringify(answer.errors));
    return answer.response.decision === 'allow';
  };

  // Both must agree with the seed's intended answers before any timing counts.
  reqs.forEach((_, i) => {
    if (regoDecide(i) !== expected[i] || cedarDecide(i) !== expected[i]) throw new Error(`decision mismatch for request ${i}`);
  });

  const rego = measure(iterations, regoDecide);
  const ced = measure(Math.max(5_000, Math.floor(iterations / 10)), cedarDecide);
  const ratio = rego.perSecond / ced.perSecond;
  const row = (name: string, s: Stats): string =>
    `| ${name} | ${s.medianUs.toFixed(2)} µs | ${s.p99Us.toFixed(2)} µs | ${Math.round(s.perSecond).toLocaleString('en-US')} |`;
  const table = [
    '| engine | median / decision | p99 / decision | decisions/s (one core) |',
    '|---|---|---|---|',
    row('Mandate Rego (seed policy, prepared)', rego),
    row('@cedar-policy/cedar-wasm 4.x (pre-parsed, context only)', ced),
  ].join('\n');
  console.log(table);
  console.log(`\nMandate / Cedar decisions per second: ${ratio.toFixed(1)}×`);
  writeSection(table, ratio, iterations);
}

/** Replace only the "Policy evaluation" section of docs/benchmarks.md. */
function writeSection(table: string, ratio: number, iterations: number): void {
  const file = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/benchmarks.md');
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmarks\n';
  }
  const date = new Date().toISOString().slice(0, 10);
  const section = [
    '## Policy evaluation',
    '',
    `\`npm run bench -- policy\` (${date}; 2 cores, Node ${process.versions.node}; ${iterations.toLocaleString('en-US')} decisions measured one by one after warm-up).`,
    'One decision = allow && !deny for the seed policy, starting from a plain JSON request (conversion included on both sides).',
    'Cedar gets all attributes in its context (no entities, its cheapest setup) and the time in ms.',
    '',
    table,
    '',
    `Mandate / Cedar decisions per second: **${ratio.toFixed(1)}×** (goal: median < 10 µs, ≥ 5×).`,
    '',
  ].join('\n');
  const re = /## Policy evaluation\n[\s\S]*?(?=\n## |$)/;
  text = re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}`;
  writeFileSync(file, text.endsWith('\n') ? text : text + '\n');
}
