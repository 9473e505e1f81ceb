import { Option } from 'commander';
import { CliError, EXIT } from './client.js';
import { CLASSIFICATION_NAMES, ROLE_NAMES } from './names.js';
import type { RegisterCommands } from './context.js';
import { printJson, printRecord, printTable } from './output.js';

interface OperatorView {
  id: string;
  email: string;
  name: string;
  roles: string[];
  status: string;
  created_at: string;
  grant_ceiling?: { scopes: string[]; tools: string[]; max_classification: string } | null;
}

/** One operator for a human: roles as a list, and what its grant ceiling lets it give in words. */
function operatorRecord(item: OperatorView): Record<string, unknown> {
  const ceiling = item.grant_ceiling;
  return {
    ...item,
    roles: item.roles.join(', '),
    grant_ceiling: ceiling ? `scopes ${ceiling.scopes.join(', ') || '(none)'}; tools ${ceiling.tools.join(', ') || '(none)'}; data up to ${ceiling.max_classification}` : 'none (as an owner it may grant its agents nothing)',
  };
}

/** `mandate operator create|list|show|whoami|disable|ceiling|token`. */
export const registerOperatorCommands: RegisterCommands = (program, context) => {
  const operator = program.command('operator').description('manage operators (humans) and their tokens');

  operator
    .command('create')
    .description('create an operator; prints its token once')
    .requiredOption('--email <email>', 'the operator\'s email')
    .addOption(new Option('--role <role...>', 'one or more roles').choices(ROLE_NAMES).makeOptionMandatory())
    .option('--name <name>', 'display name')
    .option('--id <id>', 'operator id (default: from the email)')
    .action(async (options: { email: string; role: string[]; name?: string; id?: string }) => {
      const result = await context.client().request<{ operator: OperatorView; token: string; token_id: string }>('POST', '/v1/operators', {
        email: options.email,
        roles: options.role,
        ...(options.name ? { name: options.name } : {}),
        ...(options.id ? { id: options.id } : {}),
      });
      if (context.globals().json) return printJson(result);
      printRecord({ ...result.operator, token_id: result.token_id });
      process.stdout.write(`\nToken (shown once, store it now):\n  ${result.token}\n`);
    });

  operator
    .command('list')
    .description('list operators')
    .action(async () => {
      const { items } = await context.client().request<{ items: OperatorView[] }>('GET', '/v1/operators');
      if (context.globals().json) return printJson(items);
      printTable(items as unknown as Array<Record<string, unknown>>, ['id', 'email', 'roles', 'status', 'created_at']);
    });

  operator
    .command('show <id>')
    .description('show one operator')
    .action(async (id: string) => {
      const item = await context.client().request<OperatorView>('GET', `/v1/operators/${encodeURIComponent(id)}`);
      if (context.globals().json) return printJson(item);
      printRecord(operatorRecord(item));
    });

  operator
    .command('whoami')
    .description('show the operator the token belongs to: its roles and grant ceiling (any operator; agents are refused)')
    .action(async () => {
      const item = await context.client().request<OperatorView>('GET', '/v1/operators/me');
      if (context.globals().json) return printJson(item);
      printRecord(operatorRecord(item));
    });

  operator
    .command('disable <id>')
    .description('disable an operator and revoke all its tokens')
    .action(async (id: string) => {
      const item = await context.client().request<OperatorView>('POST', `/v1/operators/${encodeURIComponent(id)}/disable`);
      if (context.globals().json) return printJson(item);
      process.stdout.write(`operator ${item.id} disabled\n`);
    });

  operator
    .command('ceiling <id>')
    .description("set what an owner may give its agents (admin): registering or widening an agent beyond it is refused (403); without a ceiling an owner may grant nothing")
    .option('--scope <scope...>', 'scopes it may grant (repeat or list; none: no scopes)')
    .option('--tool <tool...>', 'tools it may grant; an entry covers its entry:… operations')
    .addOption(new Option('--max-classification <level>', 'the highest data classification it may give').choices([...CLASSIFICATION_NAMES]))
    .option('--clear', 'remove the ceiling: the owner may then grant nothing')
    .action(async (id: string, options: { scope?: string[]; tool?: string[]; maxClassification?: string; clear?: boolean }) => {
      const path = `/v1/operators/${encodeURIComponent(id)}/grant-ceiling`;
      if (options.clear) {
        if (options.scope || options.tool || options.maxClassification) throw new CliError('--clear takes no --scope, --tool or --max-classification', EXIT.usage);
        const item = await context.client().request<OperatorView>('DELETE', path);
        if (context.globals().json) return printJson(item);
        process.stdout.write(`operator ${item.id}: grant ceiling removed (an owner may now grant nothing)\n`);
        return;
      }
      if (!options.maxClassification) throw new CliError(`--max-classification is required (or --clear): ${CLASSIFICATION_NAMES.join(', ')}`, EXIT.usage);
      const body = { scopes: options.scope ?? [], tools: options.tool ?? [], max_classification: options.maxClassification };
      const item = await context.client().request<OperatorView>('PUT', path, body);
      if (context.globals().json) return printJson(item);
      printRecord({ id: item.id, email: item.email, ...(item.grant_ceiling ?? {}) });
    });

  const token = operator.command('token').description('operator tokens');
  token
    .command('issue <id>')
    .description('issue another token for an operator (shown once)')
    .option('--description <text>', 'what the token is for')
    .action(async (id: string, options: { description?: string }) => {
      const result = await context.client().request<{ token_id: string; token: string }>('POST', `/v1/operators/${encodeURIComponent(id)}/tokens`, options.description ? { description: options.description } : {});
      if (context.globals().json) return printJson(result);
      process.stdout.write(`token ${result.token_id} (shown once):\n  ${result.token}\n`);
    });
  token
    .command('revoke <tokenId>')
    .description('revoke an operator token')
    .action(async (tokenId: string) => {
      await context.client().request('DELETE', `/v1/operators/tokens/${encodeURIComponent(tokenId)}`);
      if (context.globals().json) return printJson({ revoked: tokenId });
      process.stdout.write(`token ${tokenId} revoked\n`);
    });
};
