import { readFileSync } from 'node:fs';
import { CliError, EXIT } from './client.js';
import type { RegisterCommands } from './context.js';

/**
 * A path under data → the URL path under `/v1/data`, each segment escaped: `a/b` or `/a/b` as in
 * OPA's API, or a reference `data.a.b` as in a query; '' (no path, `data`) is the whole document.
 * The server holds each segment to its rules (docs/policies.md).
 */
export function dataPath(path: string | undefined): string {
  const trimmed = (path ?? '').trim();
  const segments = /^data(\.|$)/.test(trimmed) ? trimmed.split('.').slice(1) : trimmed.replace(/^\//, '').split('/');
  if (segments.length === 0 || (segments.length === 1 && segments[0] === '')) return '';
  return `/${segments.map(encodeURIComponent).join('/')}`;
}

/** A JSON document from FILE, or stdin for `-`; parsed here only to refuse a non-JSON file before sending. */
function readDocument(file: string): string {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`, EXIT.usage);
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not JSON: ${(error as Error).message}`, EXIT.usage);
  }
  return text;
}

/**
 * `mandate data get|put|delete PATH`: the OPA-compatible data API (`/v1/data/{path}`). Answers
 * are printed as the server wrote them, so exact numbers stay exact.
 */
export const registerDataCommands: RegisterCommands = (program, context) => {
  const data = program.command('data').description('the data API (as OPA\'s): read, write and delete documents under data');

  data
    .command('get [path]')
    .description('print a document under data (base and rules, as OPA\'s GET /v1/data): {"result": …}, or {} when undefined; no path: the whole document')
    .action(async (path: string | undefined) => {
      const text = await context.client().requestText('GET', `/v1/data${dataPath(path)}`);
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    });

  data
    .command('put <path> <file>')
    .description('create or replace a base document with the JSON in FILE (- for stdin); a new policy revision')
    .action(async (path: string, file: string) => {
      const where = dataPath(path);
      if (where === '') throw new CliError('give a path: replacing the whole data document is PUT /v1/data, not offered here', EXIT.usage);
      await context.client().requestText('PUT', `/v1/data${where}`, readDocument(file), { contentType: 'application/json' });
      if (context.globals().json) return void process.stdout.write('{}\n');
      process.stdout.write(`data${where.replaceAll('/', '.')} stored\n`);
    });

  data
    .command('delete <path>')
    .description('delete a base document; a new policy revision')
    .action(async (path: string) => {
      const where = dataPath(path);
      if (where === '') throw new CliError('give a path under data', EXIT.usage);
      await context.client().requestText('DELETE', `/v1/data${where}`);
      if (context.globals().json) return void process.stdout.write('{}\n');
      process.stdout.write(`data${where.replaceAll('/', '.')} deleted\n`);
    });
};
