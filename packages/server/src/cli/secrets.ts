import { readFileSync } from 'node:fs';
import type { RegisterCommands } from './context.js';
import { CliError, EXIT } from './client.js';
import { printJson, printRecord, printTable } from './output.js';

interface SecretVersion {
  path: string;
  version: number;
  data: Record<string, string>;
  created_at: string;
}

interface SecretMetadata {
  path: string;
  current_version: number;
  classification: string;
  versions: Array<{ version: number; created_at: string; deleted_at: string | null; destroyed: boolean }>;
}

const url = (path: string) => `/v1/secrets/${path.split('/').map(encodeURIComponent).join('/')}`;

/** `key=value` pairs (or a JSON file) → the secret's data; a malformed pair is a usage error. */
function dataFrom(pairs: string[], file: string | undefined): Record<string, string> {
  if (file !== undefined) {
    if (pairs.length > 0) throw new CliError('give key=value pairs or --data-file, not both', EXIT.usage);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new CliError(`--data-file: ${(error as Error).message}`, EXIT.usage);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
      throw new CliError('--data-file must hold a JSON object of string values', EXIT.usage);
    }
    return parsed as Record<string, string>;
  }
  if (pairs.length === 0) throw new CliError('give at least one key=value (or --data-file <json>)', EXIT.usage);
  const data: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new CliError(`'${pair}' is not key=value`, EXIT.usage);
    data[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return data;
}

const wholeNumber = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new CliError(`${flag} takes a whole number`, EXIT.usage);
  return Number(text);
};

/** `mandate secrets put|get|list|versions|delete`: the secret store (values never go to the audit log). */
export const registerSecretCommands: RegisterCommands = (program, context) => {
  const secrets = program.command('secrets').description('the secret store: put, get, list, versions, delete');

  secrets
    .command('put <path> [pairs...]')
    .description('write a new version: key=value pairs, or --data-file with a JSON object (values on the command line land in shell history)')
    .option('--data-file <file>', 'JSON object of string values')
    .option('--cas <version>', 'check-and-set: write only if the current version is this (0: only if new)')
    .option('--classification <class>', 'data classification (public, internal, confidential, restricted; default restricted)')
    .action(async (path: string, pairs: string[], options: { dataFile?: string; cas?: string; classification?: string }) => {
      const body: Record<string, unknown> = { data: dataFrom(pairs, options.dataFile) };
      const cas = wholeNumber('--cas', options.cas);
      if (cas !== undefined) body.cas = cas;
      if (options.classification) body.classification = options.classification;
      const written = await context.client().request<{ path: string; version: number }>('PUT', url(path), body);
      if (context.globals().json) return printJson(written);
      process.stdout.write(`${written.path} version ${written.version}\n`);
    });

  secrets
    .command('get <path>')
    .description('read a secret (newest version unless --at-version; -V/--version is the CLI\'s own)')
    .option('--at-version <n>', 'a specific version')
    .option('--field <key>', 'print only this key\'s value')
    .action(async (path: string, options: { atVersion?: string; field?: string }) => {
      const version = wholeNumber('--at-version', options.atVersion);
      const secret = await context.client().request<SecretVersion>('GET', `${url(path)}${version === undefined ? '' : `?version=${version}`}`);
      if (options.field !== undefined) {
        const value = secret.data[options.field];
        if (value === undefined) throw new CliError(`${path} version ${secret.version} has no key '${options.field}'`);
        process.stdout.write(`${value}\n`);
        return;
      }
      if (context.globals().json) return printJson(secret);
      printRecord({ path: secret.path, version: secret.version, created_at: secret.created_at, ...secret.data });
    });

  secrets
    .command('list [prefix]')
    .description('list secret paths (no values)')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .action(async (prefix: string | undefined, options: { limit: string }) => {
      const query = new URLSearchParams({ limit: String(wholeNumber('--limit', options.limit)) });
      if (prefix) query.set('prefix', prefix);
      const { paths } = await context.client().request<{ paths: string[] }>('GET', `/v1/secrets?${query}`);
      if (context.globals().json) return printJson({ paths });
      process.stdout.write(paths.length === 0 ? '(none)\n' : `${paths.join('\n')}\n`);
    });

  secrets
    .command('versions <path>')
    .description('a secret\'s versions and their state (no values)')
    .action(async (path: string) => {
      const meta = await context.client().request<SecretMetadata>('GET', `${url(path)}?metadata=true`);
      if (context.globals().json) return printJson(meta);
      process.stdout.write(`${meta.path} (current ${meta.current_version}, ${meta.classification})\n`);
      printTable(
        meta.versions.map((v) => ({ version: v.version, created_at: v.created_at, state: v.destroyed ? 'destroyed' : v.deleted_at ? `deleted ${v.deleted_at}` : 'live' })),
        ['version', 'created_at', 'state'],
      );
    });

  secrets
    .command('delete <path>')
    .description('soft-delete versions (newest by default); --destroy erases them for good')
    .option('--versions <list>', 'comma-separated versions')
    .option('--destroy', 'erase the values (cannot be undone)')
    .action(async (path: string, options: { versions?: string; destroy?: boolean }) => {
      if (options.versions !== undefined && !/^\d+(,\d+)*$/.test(options.versions)) throw new CliError('--versions takes a comma-separated list of numbers', EXIT.usage);
      const query = new URLSearchParams();
      if (options.versions) query.set('versions', options.versions);
      if (options.destroy) query.set('destroy', 'true');
      const result = await context.client().request<{ path: string; versions: number[]; destroyed: boolean }>('DELETE', `${url(path)}${query.size ? `?${query}` : ''}`);
      if (context.globals().json) return printJson(result);
      process.stdout.write(`${result.path}: ${result.destroyed ? 'destroyed' : 'deleted'} version(s) ${result.versions.join(', ') || '(none)'}\n`);
    });
};
