/**
 * `mandate policy …`: the online verbs against a server (put, list, get, delete, revisions,
 * revision, try, rollback, replay) and the offline ones (`eval`, `test`, from policy-offline-commands.ts) in
 * one group.
 */
import { basename } from 'node:path';
import { ApiError, CliError, EXIT } from './client.js';
import type { RegisterCommands } from './context.js';
import { readText } from './files.js';
import { printJson, printRecord, printTable } from './output.js';
import { processIO, registerPolicyOfflineCommands } from './policy-offline-commands.js';
import { indentJson } from './policy-online-eval.js';

/** One compile error in OPA's 400 body (`{"code", "message", "errors": [...]}`), as the server sends it. */
interface CompileErrorView {
  code: string;
  message: string;
  location?: { file: string; row: number; col: number };
}

interface ModuleView {
  id: string;
  raw: string;
}

interface RevisionView {
  revision: number;
  author: string;
  created_at: string;
  change: string;
  modules_hash: string;
  modules: string[];
  active: boolean;
}

interface ReplayView {
  evaluated: number;
  skipped: number;
  truncated: boolean;
  base_revision: number;
  changed: Array<{ decision_id: string; before: string; after: string; time: string; agent: string | null; action: string; tool: string | null; reasons_after: string[] }>;
}

/** The `package` line's path of a module's text ('' when there is none). */
const packageOf = (raw: string): string => /^\s*package\s+(\S+)/m.exec(raw)?.[1] ?? '';

/** `a/b.rego` → `a/b.rego` with each segment escaped (ids may hold slashes, as in OPA). */
const idPath = (id: string) => id.split('/').map(encodeURIComponent).join('/');

/**
 * The compile errors of a refused module set as `file:row:col: code: message` lines, from the
 * server's answer: it compiled the module together with the stored ones, so it knows where.
 */
function describeCompileErrors(body: unknown): string | null {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return null;
  return (errors as CompileErrorView[]).map((e) => `${e.location ? `${e.location.file}:${e.location.row}:${e.location.col}: ` : ''}${e.code}: ${e.message}`).join('\n');
}

export const registerPolicyCommands: RegisterCommands = (program, context) => {
  const policy = program.command('policy').description('policies (Rego) and data: online on a server, or offline (eval, test)');

  policy
    .command('put <id> <file>')
    .description('create or replace a policy module on the server; the whole module set must compile')
    .action(async (id: string, file: string) => {
      const text = readText(file);
      try {
        const result = await context.client().request<{ policy_revision: number }>('PUT', `/v1/policies/${idPath(id)}`, text, { contentType: 'text/plain' });
        if (context.globals().json) return printJson(result);
        process.stdout.write(`policy ${id} stored: revision ${result.policy_revision}\n`);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 400) throw error;
        const detail = describeCompileErrors(error.body);
        throw new CliError(`${error.message}${detail ? `\n${detail}` : ''}`);
      }
    });

  policy
    .command('list')
    .description('list the stored policy modules')
    .action(async () => {
      const { result } = await context.client().request<{ result: ModuleView[] }>('GET', '/v1/policies');
      if (context.globals().json) return printJson(result);
      printTable(
        result.map((m) => ({ id: m.id, lines: m.raw.split('\n').length, package: packageOf(m.raw) })),
        ['id', 'package', 'lines'],
      );
    });

  policy
    .command('get <id>')
    .description('print one stored module\'s text')
    .action(async (id: string) => {
      const { result } = await context.client().request<{ result: ModuleView }>('GET', `/v1/policies/${idPath(id)}`);
      if (context.globals().json) return printJson(result);
      process.stdout.write(result.raw.endsWith('\n') ? result.raw : `${result.raw}\n`);
    });

  policy
    .command('show <id>')
    .description('show one stored module: its id, package and size, then its text')
    .action(async (id: string) => {
      const { result } = await context.client().request<{ result: ModuleView }>('GET', `/v1/policies/${idPath(id)}`);
      if (context.globals().json) return printJson(result);
      printRecord({ id: result.id, package: packageOf(result.raw), lines: result.raw.split('\n').length });
      process.stdout.write(`\n${result.raw.endsWith('\n') ? result.raw : `${result.raw}\n`}`);
    });

  policy
    .command('delete <id>')
    .description('delete a stored module; the remaining set must compile')
    .action(async (id: string) => {
      const result = await context.client().request<{ policy_revision: number }>('DELETE', `/v1/policies/${idPath(id)}`);
      if (context.globals().json) return printJson(result);
      process.stdout.write(`policy ${id} deleted: revision ${result.policy_revision}\n`);
    });

  policy
    .command('revisions')
    .description('list policy revisions, newest first')
    .option('--limit <n>', 'how many', '20')
    .action(async (options: { limit: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError('--limit must be 1–1000', EXIT.usage);
      const { result } = await context.client().request<{ result: RevisionView[] }>('GET', `/v1/policy-revisions?limit=${limit}`);
      if (context.globals().json) return printJson(result);
      printTable(
        result.map((r) => ({ ...r, active: r.active ? '*' : '', modules_hash: r.modules_hash.slice(0, 12) })),
        ['active', 'revision', 'created_at', 'author', 'change', 'modules_hash'],
      );
    });

  policy
    .command('revision')
    .description("show one revision: who changed what, and its modules' texts")
    .argument('<revision>', 'revision number')
    .option('--module <id>', 'print only this module\'s text')
    .action(async (revision: string, options: { module?: string }) => {
      const n = Number(revision);
      if (!Number.isInteger(n) || n < 1) throw new CliError('<revision> must be a revision number', EXIT.usage);
      const r = await context.client().request<RevisionView & { modules: Record<string, string> }>('GET', `/v1/policy-revisions/${n}`);
      if (options.module !== undefined) {
        const text = r.modules[options.module];
        if (text === undefined) throw new CliError(`revision ${n} has no module '${options.module}' (it has: ${Object.keys(r.modules).join(', ')})`);
        return void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      }
      if (context.globals().json) return printJson(r);
      printRecord({ revision: r.revision, active: r.active, created_at: r.created_at, author: r.author, change: r.change, modules_hash: r.modules_hash });
      process.stdout.write('\n');
      printTable(Object.entries(r.modules).map(([id, raw]) => ({ id, package: packageOf(raw), lines: raw.split('\n').length })), ['id', 'package', 'lines']);
    });

  policy
    .command('try')
    .description('evaluate a draft on the server: the active modules with candidates replacing or added, stored nowhere (POST /v1/policies/evaluate)')
    .argument('<path>', "document under data, e.g. mandate/authz/decision (or data.mandate.authz.decision)")
    .requiredOption('--candidate <file...>', 'candidate module file(s); under their file name unless --id is given')
    .option('--id <id...>', 'module id for each candidate, in order')
    .option('--remove <id...>', 'module ids to leave out')
    .option('-i, --input <file>', 'input document (JSON)')
    .action(async (path: string, options: { candidate: string[]; id?: string[]; remove?: string[]; input?: string }) => {
      if (options.id && options.id.length !== options.candidate.length) throw new CliError('give one --id per --candidate', EXIT.usage);
      const modules: Record<string, string | null> = {};
      options.candidate.forEach((file, i) => {
        modules[options.id?.[i] ?? basename(file)] = readText(file);
      });
      for (const id of options.remove ?? []) modules[id] = null;
      const docPath = path.replace(/^data(\.|$)/, '').replace(/\./g, '/');
      let input = '';
      if (options.input !== undefined) {
        const text = readText(options.input).trim();
        try {
          JSON.parse(text);
        } catch (error) {
          throw new CliError(`${options.input}: ${(error as Error).message}`, EXIT.usage);
        }
        input = `,"input":${text}`;
      }
      const body = `{"modules":${JSON.stringify(modules)},"path":${JSON.stringify(docPath)}${input}}`;
      let answer: string;
      try {
        answer = await context.client().requestText('POST', '/v1/policies/evaluate', body, { contentType: 'application/json' });
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 400) throw error;
        const detail = describeCompileErrors(error.body);
        throw new CliError(`${error.message}${detail ? `\n${detail}` : ''}`);
      }
      // Numbers are copied as the server wrote them (exact), not through a double.
      process.stdout.write(`${context.globals().json ? answer.trim() : indentJson(answer.trim())}\n`);
    });

  policy
    .command('rollback')
    .description('restore an earlier revision\'s modules and data as a new revision (default: the previous revision)')
    .option('--to <revision>', 'revision number to restore')
    .action(async (options: { to?: string }) => {
      const to = options.to === undefined ? undefined : Number(options.to);
      if (to !== undefined && (!Number.isInteger(to) || to < 1)) throw new CliError('--to must be a revision number', EXIT.usage);
      const result = await context.client().request<{ policy_revision: number }>('POST', '/v1/policies/rollback', to === undefined ? {} : { to });
      if (context.globals().json) return printJson(result);
      process.stdout.write(`rolled back${to === undefined ? '' : ` to revision ${to}`}: now revision ${result.policy_revision}\n`);
    });

  policy
    .command('replay')
    .description('what-if: re-evaluate logged decisions against the active modules with candidates replacing or added, and list those that would change')
    .requiredOption('--candidate <file...>', 'candidate module file(s); stored under their file name unless --id is given')
    .option('--id <id...>', 'module id for each candidate, in order (e.g. mandate/authz.rego to replace the default)')
    .option('--remove <id...>', 'module ids to leave out of the candidate set')
    .option('--since <when>', 'duration back from now (30m, 24h, 7d) or an ISO-8601 time', '24h')
    .option('--limit <n>', 'most decisions to re-evaluate')
    .action(async (options: { candidate: string[]; id?: string[]; remove?: string[]; since: string; limit?: string }) => {
      if (options.id && options.id.length !== options.candidate.length) throw new CliError('give one --id per --candidate', EXIT.usage);
      const modules: Record<string, string | null> = {};
      options.candidate.forEach((file, i) => {
        modules[options.id?.[i] ?? basename(file)] = readText(file);
      });
      for (const id of options.remove ?? []) modules[id] = null;
      const limit = options.limit === undefined ? undefined : Number(options.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new CliError('--limit must be a positive integer', EXIT.usage);
      const result = await context.client().request<ReplayView>('POST', '/v1/policies/replay', { modules, since: options.since, ...(limit ? { limit } : {}) });
      if (context.globals().json) return printJson(result);
      printRecord({ base_revision: result.base_revision, evaluated: result.evaluated, skipped: result.skipped, changed: result.changed.length, truncated: result.truncated });
      if (result.changed.length > 0) {
        process.stdout.write('\n');
        printTable(
          result.changed.map((c) => ({ ...c, change: `${c.before} → ${c.after}`, reasons: c.reasons_after.join(', ') })),
          ['time', 'decision_id', 'agent', 'action', 'tool', 'change', 'reasons'],
        );
      }
    });

  registerPolicyOfflineCommands(policy, processIO, () => context.client());
};
