import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CliError, EXIT } from './client.js';
import type { CliContext, RegisterCommands } from './context.js';
import { AGENT_STATUS_NAMES, CLASSIFICATION_NAMES, LIFECYCLE_ACTION_NAMES } from './names.js';
import { printJson, printRecord, printTable } from './output.js';
import { isHeld, printHeld, type Held } from './grant-request.js';
import { reserveSecretFile, type SecretFile } from './secret-file.js';
import { registerUnusedCommand } from './agent-unused.js';
import { registerSignalsCommand } from './signal-series.js';
import { registerCredentialCommands } from './agent-credentials.js';

/** The agent as the API shows it (http/routes/agents.ts agentView). */
interface AgentView {
  id: string;
  client_id: string;
  name: string;
  owner: string;
  status: string;
  environment: string;
  data_classification: string;
  review_overdue: boolean;
  [field: string]: unknown;
}

interface Page {
  items: AgentView[];
  next_cursor: string | null;
}

const LIST_COLUMNS = ['id', 'name', 'owner', 'status', 'environment', 'data_classification', 'review_overdue'];
const SECRET_WARNING = 'Client secret (shown once; store it now in a secret manager: Mandate keeps only its hash):';

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError('must be a whole number');
  return parsed;
}

/** `--status a,b`: each one of the agent statuses, checked before anything is sent. */
function statuses(value: string): string {
  const unknown = value.split(',').filter((s) => !(AGENT_STATUS_NAMES as readonly string[]).includes(s.trim()));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown status ${unknown.join(', ')}; allowed: ${AGENT_STATUS_NAMES.join(', ')}`);
  return value;
}

/** `--label key=value`, repeatable. */
function label(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('must be key=value');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

function readJwks(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read JWKS file ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`JWKS file ${file} is not JSON`);
  }
}

const path = (id: string, suffix = '') => `/v1/agents/${encodeURIComponent(id)}${suffix}`;

/** Key/value view of an agent for humans: nested values as compact JSON. */
function showAgent(agent: AgentView): void {
  printRecord(agent);
}

type SecretResult = { agent: AgentView; client_id: string; client_secret: string };

/**
 * Asks for a new client secret and hands it over once: into `--secret-file` (set aside before
 * the request, so a refusal to overwrite costs nothing) or on stdout.
 */
async function issueSecret<T extends SecretResult>(context: CliContext, options: SecretFileOptions, request: () => Promise<T>, extra: (result: T) => Record<string, unknown>): Promise<void> {
  const file: SecretFile | null = options.secretFile ? reserveSecretFile(options.secretFile, options.force === true) : null;
  let result: T;
  try {
    result = await request();
  } catch (error) {
    file?.abandon();
    throw error;
  }
  if (isHeld(result)) {
    // Beyond the owner's grant ceiling: nothing registered, no secret yet.
    file?.abandon();
    return printHeld(context, result);
  }
  if (file) {
    try {
      file.write(result.client_secret);
    } catch (error) {
      throw new CliError(`agent ${result.agent.id} has a new secret but ${file.path} could not be written (${(error as Error).message}); issue another with: mandate agent rotate-secret ${result.agent.id}`);
    }
  }
  const { client_secret: secret, ...rest } = result;
  if (context.globals().json) return printJson(file ? { ...rest, client_secret_file: file.path } : result);
  printRecord({ id: result.agent.id, client_id: result.client_id, status: result.agent.status, ...extra(result) });
  if (file) process.stdout.write(`\nClient secret written to ${file.path} (mode 0600; Mandate keeps only its hash).\n`);
  else process.stdout.write(`\n${SECRET_WARNING}\n  ${secret}\n`);
}

interface SecretFileOptions {
  secretFile?: string;
  force?: boolean;
}

/** `--secret-file FILE [--force]` on the verbs that issue a secret. */
function secretFileOptions(command: Command): Command {
  return command
    .option('--secret-file <file>', 'write the client secret to FILE (mode 0600) instead of printing it; refuses an existing FILE')
    .option('--force', 'with --secret-file: replace FILE if it exists');
}

interface FieldOptions {
  name?: string;
  purpose?: string;
  owner?: string;
  scope?: string[];
  tool?: string[];
  classification?: string;
  env?: string;
  tokenTtl?: number;
  jwks?: string;
  tlsSubjectDn?: string;
  label?: Record<string, string>;
}

function fieldOptions(command: Command, required: boolean): Command {
  const opt = (flags: string, description: string) => (required ? command.requiredOption(flags, description) : command.option(flags, description));
  opt('--name <name>', 'display name');
  opt('--purpose <text>', 'what the agent is for');
  opt('--owner <email>', 'the responsible human');
  opt('--env <environment>', 'deployment environment, e.g. development, staging, production');
  const classification = new Option('--classification <level>', 'highest data classification the agent may touch').choices(CLASSIFICATION_NAMES);
  command.addOption(required ? classification.makeOptionMandatory() : classification);
  return command
    .option('--scope <scope...>', 'OAuth scopes the agent may be granted')
    .option('--tool <tool...>', 'tool identifiers, e.g. google-calendar-api:events.insert')
    .option('--token-ttl <seconds>', 'access token lifetime within the server limits', integer)
    .option('--jwks <file>', 'public JWK Set (JSON file) for private_key_jwt')
    .option('--tls-subject-dn <dn>', 'certificate subject DN for tls_client_auth')
    .option('--label <key=value>', 'metadata label (repeatable)', label);
}

/** `mandate agent register|list|show|update|suspend|resume|deprecate|decommission|review|rotate-secret|unused|signals|credentials|delegations`. */
export const registerAgentCommands: RegisterCommands = (program, context) => {
  const agent = program.command('agent').description('register agents and manage their lifecycle');

  secretFileOptions(fieldOptions(agent.command('register').description('register an agent; prints its client secret once (or writes it to --secret-file)'), true))
    .option('--id <id>', 'agent id (default: generated from name and environment)')
    .action(async (options: FieldOptions & SecretFileOptions & { id?: string }) => {
      const body: Record<string, unknown> = {
        name: options.name,
        purpose: options.purpose,
        owner: options.owner,
        scopes: options.scope ?? [],
        tools: options.tool ?? [],
        data_classification: options.classification,
        environment: options.env,
      };
      if (options.id) body.id = options.id;
      if (options.tokenTtl !== undefined) body.token_ttl_seconds = options.tokenTtl;
      if (options.jwks) body.jwks = readJwks(options.jwks);
      if (options.tlsSubjectDn) body.tls_client_auth_subject_dn = options.tlsSubjectDn;
      if (options.label) body.metadata = options.label;
      await issueSecret(
        context,
        options,
        () => context.client().request<SecretResult>('POST', '/v1/agents', body),
        (result) => ({ name: result.agent.name, owner: result.agent.owner }),
      );
    });

  agent
    .command('list')
    .description('list agents (oldest first)')
    .option('--status <statuses>', `comma-separated: ${AGENT_STATUS_NAMES.join(', ')}`, statuses)
    .option('--owner <email>', 'only agents of this owner')
    .option('--env <environment>', 'only agents in this environment')
    .addOption(new Option('--classification <level>', 'only agents of this data classification').choices(CLASSIFICATION_NAMES))
    .option('--scope <scope>', 'only agents holding this scope')
    .option('--overdue', 'only agents overdue for review')
    .option('--search <text>', 'text in id, name or purpose')
    .option('--limit <n>', 'page size', integer)
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--all', 'follow every page')
    .action(async (options: { status?: string; owner?: string; env?: string; classification?: string; scope?: string; overdue?: boolean; search?: string; limit?: number; cursor?: string; all?: boolean }) => {
      const query = new URLSearchParams();
      if (options.status) query.set('status', options.status);
      if (options.owner) query.set('owner', options.owner);
      if (options.env) query.set('environment', options.env);
      if (options.classification) query.set('classification', options.classification);
      if (options.scope) query.set('scope', options.scope);
      if (options.overdue) query.set('review_overdue', 'true');
      if (options.search) query.set('q', options.search);
      if (options.limit !== undefined) query.set('limit', String(options.limit));
      const items: AgentView[] = [];
      let cursor = options.cursor ?? null;
      let page: Page;
      do {
        if (cursor) query.set('cursor', cursor);
        page = await context.client().request<Page>('GET', `/v1/agents?${query.toString()}`);
        items.push(...page.items);
        cursor = page.next_cursor;
      } while (options.all && cursor);
      if (context.globals().json) return printJson({ items, next_cursor: page.next_cursor });
      printTable(items, LIST_COLUMNS);
      if (page.next_cursor) process.stdout.write(`\nmore: --cursor ${page.next_cursor} (or --all)\n`);
    });

  agent
    .command('show <id>')
    .description('show one agent')
    .action(async (id: string) => {
      const item = await context.client().request<AgentView>('GET', path(id));
      if (context.globals().json) return printJson(item);
      showAgent(item);
    });

  fieldOptions(agent.command('update <id>').description('change mutable fields (status changes through suspend/resume/deprecate/decommission)'), false)
    .option('--no-token-ttl', 'use the server default token lifetime')
    .option('--no-jwks', 'remove the registered public keys')
    .option('--clear-labels', 'remove every label')
    .action(async (id: string, options: Omit<FieldOptions, 'tokenTtl' | 'jwks'> & { tokenTtl?: number | false; jwks?: string | false; clearLabels?: boolean }) => {
      const body: Record<string, unknown> = {};
      if (options.name !== undefined) body.name = options.name;
      if (options.purpose !== undefined) body.purpose = options.purpose;
      if (options.owner !== undefined) body.owner = options.owner;
      if (options.scope !== undefined) body.scopes = options.scope;
      if (options.tool !== undefined) body.tools = options.tool;
      if (options.classification !== undefined) body.data_classification = options.classification;
      if (options.env !== undefined) body.environment = options.env;
      if (options.tokenTtl !== undefined) body.token_ttl_seconds = options.tokenTtl === false ? null : options.tokenTtl;
      if (options.jwks !== undefined) body.jwks = options.jwks === false ? null : readJwks(options.jwks);
      if (options.tlsSubjectDn !== undefined) body.tls_client_auth_subject_dn = options.tlsSubjectDn;
      if (options.clearLabels) body.metadata = null;
      if (options.label !== undefined) body.metadata = options.label;
      if (Object.keys(body).length === 0) throw new CliError('nothing to change: give at least one field option (see --help)', EXIT.usage);
      const item = await context.client().request<AgentView | Held>('PATCH', path(id), body);
      if (isHeld(item)) return printHeld(context, item);
      if (context.globals().json) return printJson(item);
      showAgent(item);
    });

  for (const action of LIFECYCLE_ACTION_NAMES) {
    agent
      .command(`${action} <id>`)
      .description(`${action} an agent${action === 'decommission' ? ' (terminal: revokes every credential it holds)' : ''}`)
      .option('--reason <text>', 'why (kept with the record and in the audit log)')
      .action(async (id: string, options: { reason?: string }) => {
        const item = await context.client().request<AgentView>('POST', path(id, `/${action}`), options.reason ? { reason: options.reason } : undefined);
        if (context.globals().json) return printJson(item);
        process.stdout.write(`agent ${item.id} is now ${item.status}\n`);
      });
  }

  agent
    .command('review <id>')
    .description('record a review of the agent (its purpose, scopes and owner still hold)')
    .option('--notes <text>', 'what was checked')
    .action(async (id: string, options: { notes?: string }) => {
      const item = await context.client().request<AgentView>('POST', path(id, '/review'), options.notes ? { notes: options.notes } : undefined);
      if (context.globals().json) return printJson(item);
      process.stdout.write(`agent ${item.id} reviewed; next review due ${String(item.review_due_at)}\n`);
    });

  secretFileOptions(agent.command('rotate-secret <id>').description('issue a new client secret; the old one keeps working for the overlap period'))
    .action(async (id: string, options: SecretFileOptions) => {
      await issueSecret(
        context,
        options,
        () => context.client().request<SecretResult & { previous_secret_expires_at: string | null }>('POST', path(id, '/rotate-secret')),
        (result) => ({ previous_secret_valid_until: result.previous_secret_expires_at ?? 'now (no overlap)' }),
      );
    });

  registerUnusedCommand(agent, context);
  registerSignalsCommand(agent, context);
  registerCredentialCommands(agent, context);
};
