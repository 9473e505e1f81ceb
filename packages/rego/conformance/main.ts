/**
 * `npm run conformance [-- options]`: runs OPA's conformance cases against the engine.
 *
 *   --cases FILE        run another file in the same JSON-lines format (default: opa-cases.jsonl,
 *                       OPA's cases vendored beside this file)
 *   --folder NAME       only cases of this folder (repeatable)
 *   --id SUBSTRING      only cases whose id contains it
 *   --verbose           print every failing case with its reason
 *   --ratchet           exit 1 when fewer cases pass than ratchet.json records
 *   --update-ratchet    raise the number in ratchet.json to the current pass count
 *   --no-report         do not rewrite report.md
 *   --no-index          evaluate every rule body (no rule index), to compare with the default
 *
 * The last line is always `N passed, N failed, N skipped`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'lossless-json';
import { registerBuiltins } from '../src/index.js';
import { runCase, type ConformanceCase, type Outcome } from './run-case.js';
import { stageOf, type Stage } from './stages.js';

const here = dirname(fileURLToPath(import.meta.url));
const defaultCases = join(here, 'opa-cases.jsonl');
const ratchetFile = join(here, 'ratchet.json');
const reportFile = join(here, 'report.md');

// OPA's test-only builtin, available to conformance runs only: the engine has no clock to sleep on.
registerBuiltins([{ name: 'test.sleep', args: ['string'], result: 'null', nondeterministic: true, impl: () => null }]);

interface Args {
  cases: string;
  folders: string[];
  id: string | null;
  verbose: boolean;
  ratchet: boolean;
  updateRatchet: boolean;
  report: boolean;
  ruleIndex: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { cases: defaultCases, folders: [], id: null, verbose: false, ratchet: false, updateRatchet: false, report: true, ruleIndex: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    if (arg === '--cases') a.cases = resolve(value());
    else if (arg === '--folder') a.folders.push(value());
    else if (arg === '--id') a.id = value();
    else if (arg === '--verbose' || arg === '-v') a.verbose = true;
    else if (arg === '--ratchet') a.ratchet = true;
    else if (arg === '--update-ratchet') a.updateRatchet = true;
    else if (arg === '--no-report') a.report = false;
    else if (arg === '--no-index') a.ruleIndex = false;
    else usage(`unknown option ${arg}`);
  }
  return a;
}

function usage(message: string): never {
  console.error(`conformance: ${message}`);
  process.exit(2);
}

interface Tally {
  pass: number;
  fail: number;
  skip: number;
}
const tally = (): Tally => ({ pass: 0, fail: 0, skip: 0 });

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const lines = readFileSync(args.cases, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const isDefaultSuite = args.cases === defaultCases && args.folders.length === 0 && args.id === null;
  // Rego time in the cases is relative to "now"; read the clock once at the edge.
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const total = tally();
  const byFolder = new Map<string, Tally>();
  const byStage = new Map<Stage, Tally>();
  const byCorpusStage = new Map<string, Tally>();
  const failures: { id: string; reason: string }[] = [];
  const skips: { id: string; reason: string }[] = [];
  const started = performance.now();
  for (const line of lines) {
    let c: ConformanceCase;
    try {
      c = toPlain(parse(line)) as ConformanceCase;
    } catch (e) {
      total.fail++;
      failures.push({ id: '(unparsable line)', reason: String(e) });
      continue;
    }
    if (args.folders.length > 0 && !args.folders.includes(c.folder)) continue;
    if (args.id !== null && !c.id.includes(args.id)) continue;
    let outcome: Outcome;
    try {
      outcome = runCase(c, nowNs, args.ruleIndex);
    } catch (e) {
      outcome = { status: 'fail', reason: `runner crash: ${e instanceof Error ? e.message : String(e)}` };
    }
    const stage = stageOf(c.builtins ?? []);
    const corpus = (c as { corpus?: string }).corpus ?? '?';
    for (const t of [total, get(byFolder, c.folder), get(byStage, stage), get(byCorpusStage, `${corpus} ${stage}`)]) t[outcome.status]++;
    if (outcome.status === 'fail') failures.push({ id: c.id, reason: outcome.reason });
    if (outcome.status === 'skip') skips.push({ id: c.id, reason: outcome.reason });
  }
  const seconds = (performance.now() - started) / 1000;
  for (const [folder, t] of [...byFolder].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`${folder.padEnd(40)} ${String(t.pass).padStart(4)} pass ${String(t.fail).padStart(4)} fail ${String(t.skip).padStart(3)} skip`);
  }
  if (args.verbose) for (const f of failures) console.log(`FAIL ${f.id}: ${f.reason}`);
  for (const [stage, t] of [...byStage].sort()) console.log(`${stage}: ${t.pass}/${t.pass + t.fail + t.skip} pass`);
  console.log(`(${seconds.toFixed(1)} s)`);
  if (isDefaultSuite && args.report) writeReport(total, byStage, byCorpusStage, byFolder, failures, skips);
  if (isDefaultSuite && (args.ratchet || args.updateRatchet)) {
    const stored = readRatchet();
    if (args.updateRatchet && total.pass > stored) {
      writeFileSync(ratchetFile, JSON.stringify({ passed: total.pass }, null, 2) + '\n');
      console.log(`ratchet raised from ${stored} to ${total.pass}`);
    }
    if (args.ratchet && total.pass < stored) {
      console.log(`ratchet: ${total.pass} passed, below the recorded ${stored}`);
      console.log(`${total.pass} passed, ${total.fail} failed, ${total.skip} skipped`);
      process.exit(1);
    }
  }
  console.log(`${total.pass} passed, ${total.fail} failed, ${total.skip} skipped`);
}

function get<K>(m: Map<K, Tally>, k: K): Tally {
  let t = m.get(k);
  if (!t) m.set(k, (t = tally()));
  return t;
}

function readRatchet(): number {
  try {
    return (JSON.parse(readFileSync(ratchetFile, 'utf8')) as { passed: number }).passed;
  } catch {
    return 0;
  }
}

/** lossless-json numbers → plain (the case fields keep LosslessNumber in data/input/want_result). */
function toPlain(x: unknown): unknown {
  return x;
}

function pct(t: Tally): string {
  const n = t.pass + t.fail + t.skip;
  return n === 0 ? '-' : `${((100 * t.pass) / n).toFixed(1)}%`;
}

function writeReport(
  total: Tally,
  byStage: Map<Stage, Tally>,
  byCorpusStage: Map<string, Tally>,
  byFolder: Map<string, Tally>,
  failures: { id: string; reason: string }[],
  skips: { id: string; reason: string }[],
): void {
  const out: string[] = [];
  out.push('# Rego conformance', '');
  out.push('Generated by `npm run conformance` from OPA\'s conformance cases (`opa-cases.jsonl` beside this file; see README.md and NOTICE).', '');
  out.push(`**Total: ${total.pass} passed, ${total.fail} failed, ${total.skip} skipped (${pct(total)}).**`, '');
  out.push('## By stage', '', '| stage | passed | failed | skipped | pass rate | cumulative pass rate |', '|---|---|---|---|---|---|');
  const cum = tally();
  for (const s of ['S1', 'S2', 'S3', 'S4'] as Stage[]) {
    const t = byStage.get(s) ?? tally();
    cum.pass += t.pass;
    cum.fail += t.fail;
    cum.skip += t.skip;
    out.push(`| ${s} | ${t.pass} | ${t.fail} | ${t.skip} | ${pct(t)} | ${pct(cum)} |`);
  }
  out.push('', '| corpus stage | passed | failed | skipped |', '|---|---|---|---|');
  for (const [k, t] of [...byCorpusStage].sort()) out.push(`| ${k} | ${t.pass} | ${t.fail} | ${t.skip} |`);
  out.push('', '## By folder', '', '| folder | passed | failed | skipped |', '|---|---|---|---|');
  for (const [f, t] of [...byFolder].sort(([a], [b]) => a.localeCompare(b))) out.push(`| ${f} | ${t.pass} | ${t.fail} | ${t.skip} |`);
  out.push('', '## Skipped', '');
  for (const s of skips) out.push(`- \`${s.id}\`: ${s.reason}`);
  out.push('', '## Failing cases', '');
  for (const f of failures) out.push(`- \`${f.id}\`: ${f.reason.replace(/\|/g, '\\|').replace(/`/g, "'")}`);
  writeFileSync(reportFile, out.join('\n') + '\n');
}

main();
