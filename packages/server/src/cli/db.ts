import type { LeaseInfo } from '@mandate/sdk';
import type { RegisterCommands } from './context.js';
import { CliError, EXIT } from './client.js';
import { printJson, printRecord, printTable } from './output.js';
import { isDatabaseUrl } from './names.js';
import { readText } from './files.js';

/** A lease as `GET /v1/leases` and the renew and revoke calls send it: the SDK's view and what operators see besides. */
interface LeaseView extends LeaseInfo {
  agent_id: string | null;
  task_id: string | null;
  attempts: number;
  last_error: string | null;
}

/**
 * A revocation the server could not finish (the database is unreachable, say): the lease
 * manager keeps retrying with backoff, but the command did not do what it was asked, so it
 * exits 1 after printing the answer.
 */
function stillRetrying(ids: string[]): CliError {
  return new CliError(`${ids.length} lease(s) not revoked yet, still being retried: ${ids.join(', ')} (see mandate db leases --status revoking)`);
}

const seconds = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliError(`${flag} takes a positive whole number of seconds`, EXIT.usage);
  return Number(text);
};
const collect = (value: string, previous: string[] = []) => [...previous, value];
const enc = encodeURIComponent;

/** `mandate db config|role|creds|leases|renew|revoke`: dynamic database credentials and their leases. */
export const registerDbCommands: RegisterCommands = (program, context) => {
  const db = program.command('db').description('dynamic database credentials: config, role, creds, leases, renew, revoke');

  db.command('config <name>')
    .description('configure a connection (--url; the root password is stored sealed) or, without --url, show it')
    .option('--url <url>', 'postgres://root:password@host:port/database')
    .hook('preAction', (command) => {
      // The program's own --url takes every --url on the line and skips postgres:// ones
      // (program.ts); the one given here is taken from the raw arguments.
      // Commander keeps the line it parsed as `rawArgs` (not in its typings).
      const raw = (command.parent?.parent as unknown as { rawArgs?: string[] } | undefined)?.rawArgs ?? [];
      const given = raw.map((arg: string, i: number) => (arg === '--url' ? raw[i + 1] : arg.startsWith('--url=') ? arg.slice(6) : undefined)).filter((v): v is string => v !== undefined && isDatabaseUrl(v));
      if (given.length > 0) command.setOptionValue('url', given[given.length - 1]);
    })
    .option('--url-file <file>', 'read the URL from a file (keeps the root password out of the command line, `ps` and shell history)')
    .option('--rotation-period <seconds>', 'rotate the root password this often (0: never; default 24 h)')
    .option('--rotate-root', 'rotate the root password now, so only Mandate knows it')
    .action(async (name: string, options: { url?: string; urlFile?: string; rotationPeriod?: string; rotateRoot?: boolean }) => {
      const client = context.client();
      if (options.url !== undefined && options.urlFile !== undefined) throw new CliError('give --url or --url-file, not both', EXIT.usage);
      if (options.urlFile !== undefined) options.url = readText(options.urlFile).trim();
      if (options.url !== undefined) {
        const body: Record<string, unknown> = { url: options.url };
        if (options.rotationPeriod !== undefined) {
          if (!/^\d+$/.test(options.rotationPeriod)) throw new CliError('--rotation-period takes whole seconds', EXIT.usage);
          body.rotation_period_seconds = Number(options.rotationPeriod);
        }
        await client.request('PUT', `/v1/db/${enc(name)}`, body);
      } else if (options.rotationPeriod !== undefined) {
        throw new CliError('--rotation-period goes with --url', EXIT.usage);
      }
      if (options.rotateRoot) await client.request('POST', `/v1/db/${enc(name)}/rotate-root`, {});
      const view = await client.request<Record<string, unknown>>('GET', `/v1/db/${enc(name)}`);
      if (context.globals().json) return printJson(view);
      const { roles, ...connection } = view as { roles: Array<{ name: string }> };
      printRecord({ ...connection, roles: roles.map((r) => r.name).join(', ') || '-' });
    });

  db.command('role <connection> <role>')
    .description('define a role (--creation-sql, repeatable; {{name}} {{password}} {{expiration}}) or, without it, show it')
    .option('--creation-sql <statement>', 'a creation statement (repeat for several; run in one transaction)', collect)
    .option('--revocation-sql <statement>', 'a revocation statement ({{name}}; default: NOLOGIN, end sessions, drop owned, drop role)', collect)
    .option('--default-ttl <seconds>', 'lifetime of issued credentials (default 60)')
    .option('--max-ttl <seconds>', 'longest lifetime, renewals included')
    .option('--classification <class>', 'data classification the role reaches (default restricted)')
    .action(async (connection: string, role: string, options: { creationSql?: string[]; revocationSql?: string[]; defaultTtl?: string; maxTtl?: string; classification?: string }) => {
      const path = `/v1/db/${enc(connection)}/roles/${enc(role)}`;
      let view: Record<string, unknown>;
      if (options.creationSql) {
        const body: Record<string, unknown> = { creation_statements: options.creationSql };
        if (options.revocationSql) body.revocation_statements = options.revocationSql;
        const defaultTtl = seconds('--default-ttl', options.defaultTtl);
        const maxTtl = seconds('--max-ttl', options.maxTtl);
        if (defaultTtl !== undefined) body.default_ttl = defaultTtl;
        if (maxTtl !== undefined) body.max_ttl = maxTtl;
        if (options.classification) body.classification = options.classification;
        view = await context.client().request('PUT', path, body);
      } else {
        if (options.revocationSql || options.defaultTtl || options.maxTtl || options.classification) throw new CliError('defining a role needs --creation-sql', EXIT.usage);
        view = await context.client().request('GET', path);
      }
      if (context.globals().json) return printJson(view);
      printRecord(view);
    });

  db.command('creds <connection> <role>')
    .description('issue credentials now (operators with db:creds; agents use the SDK)')
    .option('--ttl <seconds>', 'lifetime (at most the role\'s max)')
    .option('--task <id>', 'end them with this task')
    .action(async (connection: string, role: string, options: { ttl?: string; task?: string }) => {
      const body: Record<string, unknown> = {};
      const ttl = seconds('--ttl', options.ttl);
      if (ttl !== undefined) body.ttl = ttl;
      if (options.task) body.task_id = options.task;
      const creds = await context.client().request<Record<string, unknown>>('POST', `/v1/db/${enc(connection)}/creds/${enc(role)}`, body);
      if (context.globals().json) return printJson(creds);
      printRecord(creds);
    });

  db.command('leases')
    .description('list leases (live by default)')
    .option('--agent <id>', 'only this agent\'s')
    .option('--task <id>', 'only this task\'s')
    .option('--prefix <path>', 'only under this path, e.g. db/main/creds/')
    .option('--status <list>', 'comma-separated: active, revoking, revoked')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .action(async (options: { agent?: string; task?: string; prefix?: string; status?: string; limit: string }) => {
      if (!/^\d+$/.test(options.limit)) throw new CliError('--limit takes a whole number', EXIT.usage);
      const query = new URLSearchParams({ limit: options.limit });
      if (options.agent) query.set('agent_id', options.agent);
      if (options.task) query.set('task_id', options.task);
      if (options.prefix) query.set('prefix', options.prefix);
      if (options.status) query.set('status', options.status);
      const { items } = await context.client().request<{ items: LeaseView[] }>('GET', `/v1/leases?${query}`);
      if (context.globals().json) return printJson({ items });
      printTable(items as unknown as Array<Record<string, unknown>>, ['lease_id', 'path', 'agent_id', 'task_id', 'status', 'expires_at', 'ttl', 'attempts', 'last_error']);
    });

  db.command('renew <lease_id>')
    .description("extend a live lease (and its credential's own expiry) by --increment seconds from now, never past its max TTL")
    .option('--increment <seconds>', "seconds from now (default: the server's secrets.dbDefaultTtlSeconds)")
    .action(async (leaseId: string, options: { increment?: string }) => {
      const increment = seconds('--increment', options.increment);
      const lease = await context.client().request<LeaseView>('POST', `/v1/leases/${enc(leaseId)}/renew`, increment === undefined ? {} : { increment });
      if (context.globals().json) return printJson(lease);
      const capped = lease.expires_at === lease.max_expires_at ? ' (its max TTL: renewing again cannot extend it)' : '';
      process.stdout.write(`${lease.lease_id} renewed: expires ${lease.expires_at}, in ${lease.ttl} s${capped}\n`);
    });

  db.command('revoke [lease_id]')
    .description('revoke one lease now, or every live lease of --agent, --task or under --prefix; exit 1 while a revocation is still being retried')
    .option('--agent <id>', 'every lease of this agent')
    .option('--task <id>', 'every lease of this task')
    .option('--prefix <path>', 'every lease under this path')
    .action(async (leaseId: string | undefined, options: { agent?: string; task?: string; prefix?: string }) => {
      const selectors = [options.agent, options.task, options.prefix].filter((s) => s !== undefined);
      if ((leaseId === undefined) === (selectors.length === 0) || selectors.length > 1) throw new CliError('give a lease id, or one of --agent, --task, --prefix', EXIT.usage);
      if (leaseId !== undefined) {
        const lease = await context.client().request<LeaseView>('POST', `/v1/leases/${enc(leaseId)}/revoke`, {});
        if (context.globals().json) printJson(lease);
        else process.stdout.write(`${lease.lease_id} ${lease.status}${lease.last_error ? ` (retrying: ${lease.last_error})` : ''}\n`);
        if (lease.status !== 'revoked') throw stillRetrying([lease.lease_id]);
        return;
      }
      const body = options.agent ? { agent_id: options.agent } : options.task ? { task_id: options.task } : { prefix: options.prefix };
      const result = await context.client().request<{ leases: string[]; revoked: string[]; retrying: string[] }>('POST', '/v1/leases/revoke', body);
      if (context.globals().json) printJson(result);
      else process.stdout.write(`revoked ${result.revoked.length} lease(s)\n`);
      if (result.retrying.length > 0) throw stillRetrying(result.retrying);
    });
};
