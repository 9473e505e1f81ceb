/**
 * `mandate policy eval`, `mandate policy test` and `mandate policy fmt --v0-v1`: the Rego engine
 * offline, like `opa eval`, `opa test` and `opa fmt --v0-v1`, with no server. Errors show their source position; exit 2 on bad usage, 1 on
 * failure (a failing test, a policy error).
 *
 * The only CLI file that imports the engine: policy-offline-commands.ts loads it with a dynamic
 * import when one of these verbs runs, so no other verb pays for it.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { compileModules, parseJSON, RegoError, RegoErrors, rewriteV0ToV1, RObject, toJSON, type PreparedPolicy, type RuleNode, type Value } from '@mandate/rego';
import { CliError, EXIT } from './client.js';
import { processIO, type PolicyIO } from './policy-offline-commands.js';

/** The I/O that runEval and runTest take (defined beside the commands, which pass it on). */
export type { PolicyIO };

interface Loaded {
  modules: Record<string, string>;
  data: RObject;
}

/** Load .rego modules and .json data from files and directories (JSON under its directory path). */
export function loadPaths(paths: string[]): Loaded {
  const modules: Record<string, string> = {};
  const data = new RObject();
  const visit = (path: string, root: string | null): void => {
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new CliError(`${path}: no such file or directory`, EXIT.usage);
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) if (!name.startsWith('.')) visit(join(path, name), root ?? path);
      return;
    }
    const ext = extname(path);
    if (ext === '.rego') modules[path] = readFileSync(path, 'utf8');
    else if (ext === '.json') {
      let value: Value;
      try {
        value = parseJSON(readFileSync(path, 'utf8'));
      } catch (e) {
        throw new CliError(`${path}: invalid JSON: ${(e as Error).message}`);
      }
      // data.json inside a directory tree lands at its directory's path, as opa does
      const dir = root === null ? [] : relative(root, dirname(path)).split(/[\\/]/).filter(Boolean);
      mergeAt(data, dir, value, path);
    } else if (root === null) throw new CliError(`${path}: expected a .rego or .json file`, EXIT.usage);
  };
  for (const p of paths) visit(p, null);
  return { modules, data };
}

function mergeAt(target: RObject, path: string[], value: Value, file: string): void {
  let cur = target;
  for (const seg of path) {
    let next = cur.get(seg);
    if (next === undefined) cur.set(seg, (next = new RObject()));
    if (!(next instanceof RObject)) throw new CliError(`${file}: data conflicts at ${path.join('.')}`);
    cur = next;
  }
  if (!(value instanceof RObject)) {
    if (path.length === 0) throw new CliError(`${file}: top-level data must be an object`);
    return;
  }
  for (const [k, v] of value.unorderedEntries()) {
    const prev = cur.get(k);
    if (prev instanceof RObject && v instanceof RObject) mergeAt(cur, [k as string], v, file);
    else cur.set(k, v);
  }
}

function compile(loaded: Loaded, v0: boolean): PreparedPolicy {
  try {
    return compileModules(loaded.modules, { regoVersion: v0 ? 'v0' : 'v1' });
  } catch (e) {
    throw asCliError(e);
  }
}

function asCliError(e: unknown): CliError {
  if (e instanceof RegoErrors) return new CliError(e.errors.map((x) => x.message).join('\n'));
  if (e instanceof RegoError) return new CliError(e.message);
  if (e instanceof CliError) return e;
  return new CliError((e as Error).message);
}

export interface EvalOptions {
  data: string[];
  input?: string;
  format?: 'json' | 'pretty';
  v0?: boolean;
  strictBuiltinErrors?: boolean;
}

/** `policy eval`: prints OPA's result JSON (`--format json`) or just the values (`pretty`). */
export function runEval(query: string, opts: EvalOptions, io: PolicyIO = processIO): void {
  if (!query.trim()) throw new CliError('a query is required, e.g. data.mandate.authz.allow', EXIT.usage);
  const format = opts.format ?? 'json';
  if (format !== 'json' && format !== 'pretty') throw new CliError(`--format must be json or pretty, not ${format}`, EXIT.usage);
  const loaded = loadPaths(opts.data);
  const policy = compile(loaded, opts.v0 ?? false);
  let input: Value | undefined;
  if (opts.input) {
    try {
      input = parseJSON(readFileSync(opts.input, 'utf8'));
    } catch (e) {
      throw new CliError(`${opts.input}: ${(e as Error).message}`, EXIT.usage);
    }
  }
  const evalOpts = { input, data: loaded.data, nowNs: io.nowNs(), strictBuiltinErrors: opts.strictBuiltinErrors ?? false, print: (m: string) => io.err(m + '\n') };
  // a single-term query reports its value, as opa eval does ("expressions": [{"value": ...}])
  const single = !/[;\n]/.test(query) && !/(^|[^=!<>:])=(?!=)|:=/.test(query);
  let rows: Record<string, Value>[];
  try {
    rows = single ? policy.query(`__expr__ = (${query})`, evalOpts) : policy.query(query, evalOpts);
  } catch (e) {
    throw asCliError(e);
  }
  const results = rows.map((row) => {
    const { __expr__: value, ...bindings } = row;
    return { expressions: [{ value: value ?? true, text: query }], ...(Object.keys(bindings).length ? { bindings } : {}) };
  });
  if (format === 'pretty') {
    if (results.length === 0) io.out('undefined\n');
    for (const r of results) {
      const shown = single ? r.expressions[0]!.value : new RObject(Object.entries(r.bindings ?? {}));
      io.out(toJSON(shown as Value, 2) + '\n');
    }
    return;
  }
  const json = results.length === 0 ? '{}' : `{"result":[${results.map((r) => resultJSON(r)).join(',')}]}`;
  io.out(toJSON(parseJSON(json), 2) + '\n');
}

function resultJSON(r: { expressions: { value: Value; text: string }[]; bindings?: Record<string, Value> }): string {
  const exprs = r.expressions.map((e) => `{"value":${toJSON(e.value)},"text":${JSON.stringify(e.text)},"location":{"row":1,"col":1}}`).join(',');
  const bindings = r.bindings ? `,"bindings":${toJSON(new RObject(Object.entries(r.bindings)))}` : '';
  return `{"expressions":[${exprs}]${bindings}}`;
}

export interface TestOptions {
  verbose?: boolean;
  v0?: boolean;
  run?: string;
  /** Print one JSON document (every test and the totals) instead of opa test's text. */
  json?: boolean;
}

export interface TestSummary {
  passed: number;
  failed: number;
  errors: number;
}

/** One test_ rule's run, as `--json` prints it. */
interface TestResult {
  name: string;
  file: string;
  result: 'pass' | 'fail' | 'error';
  /** Why it errored (null when it passed or was false). */
  message: string | null;
  /** What its print() calls wrote. */
  output: string[];
  duration_ms: number;
}

/** `policy test`: evaluates every rule named test_* like `opa test`; exit 1 when any fails. */
export function runTest(paths: string[], opts: TestOptions, io: PolicyIO = processIO): TestSummary {
  if (paths.length === 0) throw new CliError('give the policy files or directories to test', EXIT.usage);
  const loaded = loadPaths(paths);
  if (Object.keys(loaded.modules).length === 0) throw new CliError('no .rego files found', EXIT.usage);
  const policy = compile(loaded, opts.v0 ?? false);
  const filter = opts.run ? new RegExp(opts.run) : null;
  const tests: RuleNode[] = [];
  const walk = (n: RuleNode): void => {
    if (n.name.startsWith('test_') && (n.complete.length > 0 || n.defaultRule) && (!filter || filter.test(n.path.join('.')))) tests.push(n);
    for (const c of n.children.values()) walk(c);
  };
  walk(policy.tree.root);
  const nowNs = io.nowNs();
  const results = tests.map((t): TestResult => {
    const name = `data.${t.path.join('.')}`;
    const output: string[] = [];
    const started = io.monotonicMs();
    let result: TestResult['result'];
    let message: string | null = null;
    try {
      const v = policy.evaluate(name, { data: loaded.data, nowNs, print: (m) => void output.push(m) });
      result = v !== undefined && v !== false ? 'pass' : 'fail';
    } catch (e) {
      result = 'error';
      message = (e as Error).message;
    }
    const file = basename(t.complete[0]?.loc.file ?? t.defaultRule?.loc.file ?? '');
    return { name, file, result, message, output, duration_ms: Number((io.monotonicMs() - started).toFixed(1)) };
  });
  const count = (result: TestResult['result']) => results.filter((r) => r.result === result).length;
  const summary: TestSummary = { passed: count('pass'), failed: count('fail'), errors: count('error') };
  if (opts.json) io.out(`${JSON.stringify({ tests: results, ...summary, total: results.length }, null, 2)}\n`);
  else printTestText(results, summary, opts.verbose ?? false, io);
  return summary;
}

/** opa test's text: print() output, failing tests (every test with verbose), then the totals. */
function printTestText(results: TestResult[], summary: TestSummary, verbose: boolean, io: PolicyIO): void {
  for (const r of results) {
    for (const line of r.output) io.out(`  ${line}\n`);
    if (r.result !== 'pass' || verbose) io.out(`${r.file}:\n${r.name}: ${r.result.toUpperCase()} (${r.duration_ms.toFixed(1)}ms)${r.message === null ? '' : `\n    ${r.message}`}\n`);
  }
  const total = results.length;
  io.out(`${'-'.repeat(80)}\n`);
  if (summary.passed > 0) io.out(`PASS: ${summary.passed}/${total}\n`);
  if (summary.failed > 0) io.out(`FAIL: ${summary.failed}/${total}\n`);
  if (summary.errors > 0) io.out(`ERROR: ${summary.errors}/${total}\n`);
  if (total === 0) io.out('no tests found\n');
}

/**
 * `mandate policy fmt --v0-v1 FILE…`: each Rego v0 module rewritten as v1 (`if`, `contains`,
 * `import rego.v1`), printed, or written back with `write`. The result must also compile as v1
 * (deprecated builtins such as `any`/`all` do not): otherwise nothing is written and the error
 * says why. A module that already imports rego.v1 is left as it is.
 */
export function runFmtV0V1(files: string[], opts: { write?: boolean }, io: PolicyIO = processIO): void {
  if (files.length === 0) throw new CliError('give at least one .rego file', EXIT.usage);
  const rewritten: Array<{ file: string; text: string }> = [];
  for (const file of files) {
    let src: string;
    try {
      src = readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError(`${file}: ${(e as Error).message}`, EXIT.usage);
    }
    try {
      const text = rewriteV0ToV1(src, file);
      compileModules({ [file]: text }, { regoVersion: 'v1' });
      rewritten.push({ file, text });
    } catch (e) {
      const error = asCliError(e);
      throw new CliError(`${file} cannot be rewritten as Rego v1: ${error.message}`, error.exitCode);
    }
  }
  for (const { file, text } of rewritten) {
    if (opts.write) writeFileSync(file, text);
    else io.out(files.length > 1 ? `# ${file}\n${text}` : text);
  }
}
