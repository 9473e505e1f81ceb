/**
 * `mandate policy eval`, `test` and `fmt` as commands. The engine behind them (policy-offline.ts)
 * loads only when one of them runs with local files: every other verb starts without it, and
 * `policy eval` without `-d` asks the server (policy-online-eval.ts), as `opa eval` users expect.
 */
import type { Command } from 'commander';
import { CliError, EXIT, type ApiClient } from './client.js';
import { evalOnServer } from './policy-online-eval.js';

/** Where the commands write; tests capture it. */
export interface PolicyIO {
  out(text: string): void;
  err(text: string): void;
  /** Evaluation clock in ns (time.now_ns); read once per command. */
  nowNs(): bigint;
  /** Monotonic ms for test durations. */
  monotonicMs(): number;
}

/** The process itself: its streams, and the wall clock at the edge where OPA's `time.now_ns` reads it. */
export const processIO: PolicyIO = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  nowNs: () => BigInt(Date.now()) * 1_000_000n,
  monotonicMs: () => performance.now(),
};

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The program's global `--json` (these commands are also mounted on a bare program in tests, without it). */
const jsonAsked = (command: Command): boolean => Boolean(command.optsWithGlobals<{ json?: boolean }>().json);

/** Adds `eval`, `test` and `fmt` to the `policy` command group; `client` serves `eval` without `-d`. */
export function registerPolicyOfflineCommands(policy: Command, io: PolicyIO = processIO, client?: () => ApiClient): void {
  policy
    .command('eval')
    .description('evaluate a Rego query (like opa eval): against local files with -d, else against the server\'s policies and data (POST /v1/data/{path})')
    .argument('<query>', "query, e.g. 'data.mandate.authz.allow' (without -d: a reference data.…)")
    .option('-d, --data <path>', 'policy (.rego) or data (.json) file or directory; repeatable; none: evaluate on the server', collect, [])
    .option('-i, --input <file>', 'input document (JSON)')
    .option('-f, --format <format>', 'json (OPA result) or pretty', 'json')
    .option('--v0-compatible', 'parse modules without `import rego.v1` as Rego v0 syntax')
    .option('--strict-builtin-errors', 'treat builtin errors as fatal')
    .action(async (query: string, o: { data: string[]; input?: string; format: string; v0Compatible?: boolean; strictBuiltinErrors?: boolean }, command: Command) => {
      // --json asks for JSON and `-f pretty` for bare values: honouring either would hide the other.
      if (o.format === 'pretty' && jsonAsked(command)) throw new CliError('--json and --format pretty ask for different output: drop one (--json prints the OPA result JSON, as --format json)', EXIT.usage);
      if (o.data.length === 0) {
        if (!client) throw new CliError('give at least one -d policy file or directory', EXIT.usage);
        if (o.v0Compatible) throw new CliError('--v0-compatible applies to -d files; the server parses its modules as it is configured to', EXIT.usage);
        return evalOnServer(client(), query, { input: o.input, format: o.format, strictBuiltinErrors: o.strictBuiltinErrors }, io);
      }
      const { runEval } = await import('./policy-offline.js');
      runEval(query, { data: o.data, input: o.input, format: o.format as 'json' | 'pretty', v0: o.v0Compatible, strictBuiltinErrors: o.strictBuiltinErrors }, io);
    });
  policy
    .command('test')
    .description('run the test_ rules of local policies (like opa test); --json: every test and the totals as one JSON document')
    .argument('<paths...>', 'policy files or directories (.rego, .json data)')
    .option('-v, --verbose', 'list passing tests too')
    .option('-r, --run <regex>', 'only tests whose path matches')
    .option('--v0-compatible', 'parse modules without `import rego.v1` as Rego v0 syntax')
    .action(async (paths: string[], o: { verbose?: boolean; run?: string; v0Compatible?: boolean }, command: Command) => {
      const { runTest } = await import('./policy-offline.js');
      const s = runTest(paths, { verbose: o.verbose, run: o.run, v0: o.v0Compatible, json: jsonAsked(command) }, io);
      if (s.failed + s.errors > 0) throw new CliError(`${s.failed + s.errors} test(s) failed`, EXIT.failed);
    });
  policy
    .command('fmt')
    .description('rewrite Rego v0 modules as Rego v1 (like opa fmt --v0-v1)')
    .argument('<files...>', '.rego files')
    .option('--v0-v1', 'rewrite v0 syntax as v1: `if`, `contains`, `import rego.v1` (required: the only rewrite fmt does)')
    .option('-w, --write', 'write the result back to each file instead of printing it')
    .action(async (files: string[], o: { v0V1?: boolean; write?: boolean }) => {
      if (!o.v0V1) throw new CliError('mandate policy fmt only rewrites Rego v0 as v1: pass --v0-v1', EXIT.usage);
      const { runFmtV0V1 } = await import('./policy-offline.js');
      runFmtV0V1(files, { write: o.write }, io);
    });
}
