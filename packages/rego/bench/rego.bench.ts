/**
 * The engine on its own, as policies grow: parse + compile time and evaluation time of a policy
 * with N rules of the shape
 *
 *   allow if { input.agent.id == "agent-i"; input.resource.type == "doc-i"; input.action == "read" }
 *
 * for N = 10, 1,000 and 10,000, evaluated on an input that exactly one rule matches (the last
 * one, so no early exit hides a scan) and on one that no rule matches (the default answers).
 * Each is evaluated with the rule index (the default) and without it (`ruleIndex: false`, every
 * rule body run), in the same run; the goal is 10,000 indexed rules within 3× of 10.
 *
 *   npm run bench -- rego [--sizes=10,1000,10000] [--seconds=S]
 */
import { compileModules, fromJSON, parseModule, type PreparedPolicy, type Value } from '../src/index.js';

const NOW_NS = 1_767_225_600_000_000_000n;

/** The policy text with `n` allow rules (agent-0 … agent-(n-1)). */
function rulesPolicy(n: number): string {
  const rules = Array.from(
    { length: n },
    (_, i) => `allow if { input.agent.id == "agent-${i}"; input.resource.type == "doc-${i}"; input.action == "read" }`,
  );
  return `package bench\n\ndefault allow := false\n\n${rules.join('\n')}\n`;
}

function input(agent: string, doc: string): Value {
  return fromJSON({ agent: { id: agent }, resource: { type: doc }, action: 'read' });
}

interface Timing {
  medianUs: number;
  p99Us: number;
  runs: number;
}

/**
 * Times `fn` one call at a time until `seconds` have passed (at least `minRuns` calls), after
 * a warm-up of the same length capped at a tenth of the budget.
 */
function time(fn: () => void, seconds: number, minRuns: number): Timing {
  const budgetNs = BigInt(Math.round(seconds * 1e9));
  const warmUntil = process.hrtime.bigint() + budgetNs / 10n;
  do fn();
  while (process.hrtime.bigint() < warmUntil);
  const samples: number[] = [];
  const until = process.hrtime.bigint() + budgetNs;
  while (samples.length < minRuns || process.hrtime.bigint() < until) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { medianUs: samples[Math.floor(samples.length / 2)]!, p99Us: samples[Math.floor(samples.length * 0.99)]!, runs: samples.length };
}

function option(args: string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

/** A duration given in µs, printed in µs below a millisecond and in ms above. */
const duration = (us: number): string => (us < 1000 ? `${us.toFixed(2)} µs` : `${(us / 1000).toFixed(2)} ms`);

export async function run(args: string[]): Promise<void> {
  const sizes = (option(args, 'sizes') ?? '10,1000,10000').split(',').map(Number);
  const seconds = Number(option(args, 'seconds') ?? '2');
  const rows: string[] = [];
  let firstMatching: number | undefined;
  for (const n of sizes) {
    const text = rulesPolicy(n);
    const parse = time(() => parseModule(text, 'bench.rego'), seconds, 5);
    const compile = time(() => compileModules({ 'bench.rego': text }), seconds, 5);
    const policy: PreparedPolicy = compileModules({ 'bench.rego': text });
    const hit = input(`agent-${n - 1}`, `doc-${n - 1}`);
    const miss = input('agent-none', 'doc-none');
    const evaluate = (inp: Value, ruleIndex = true) => (): void => void policy.evaluate('data.bench.allow', { input: inp, nowNs: NOW_NS, ruleIndex });
    // Both answers must be right before any timing counts.
    if (policy.evaluate('data.bench.allow', { input: hit, nowNs: NOW_NS }) !== true) throw new Error(`n=${n}: the last rule did not match`);
    if (policy.evaluate('data.bench.allow', { input: miss, nowNs: NOW_NS }) !== false) throw new Error(`n=${n}: the default did not answer`);
    const matching = time(evaluate(hit), seconds, 20);
    const none = time(evaluate(miss), seconds, 20);
    const unindexed = time(evaluate(hit, false), seconds, 20);
    firstMatching ??= matching.medianUs;
    const perSecond = (t: Timing): string => Math.round(1e6 / t.medianUs).toLocaleString('en-US');
    rows.push(
      `| ${n.toLocaleString('en-US')} | ${(text.length / 1024).toFixed(0)} KiB | ${duration(parse.medianUs)} | ${duration(compile.medianUs)} | ` +
        `${duration(matching.medianUs)} | ${duration(matching.p99Us)} | ${perSecond(matching)} | ${duration(none.medianUs)} | ` +
        `${duration(unindexed.medianUs)} | ${(matching.medianUs / firstMatching).toFixed(2)}× |`,
    );
  }
  console.log(
    [
      '| rules | policy text | parse (median) | parse + compile (median) | evaluate, one rule matches (median) | p99 | evaluations/s | evaluate, no rule matches (median) | one matches, unindexed (median) | indexed, vs the first size |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n'),
  );
}
