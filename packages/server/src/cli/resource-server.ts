import { showRecord, type RegisterCommands } from './context.js';
import { CliError, EXIT } from './client.js';
import { printJson, printRecord, printTable } from './output.js';

interface ResourceServerView {
  id: string;
  name: string;
  audience: string;
  scopes: string[];
  client_id: string;
  created_at: string;
  policy_package: string | null;
}

/** `mandate resource-server create|list|show|package|delete`: APIs that accept Mandate tokens (RFC 8707 audiences). */
export const registerResourceServerCommands: RegisterCommands = (program, context) => {
  const group = program.command('resource-server').description('resource servers: token audiences, their scopes, and introspection credentials');

  group
    .command('create')
    .description('register a resource server; prints its introspection client secret once')
    .requiredOption('--audience <uri>', 'absolute URI agents pass as `resource` and tokens carry as `aud`')
    .requiredOption('--name <name>', 'display name')
    .option('--scope <scope...>', 'scopes this resource server accepts', [])
    .option('--policy-package <package>', "policy package its decisions evaluate instead of the server's (needs policies:write)")
    .action(async (options: { audience: string; name: string; scope: string[]; policyPackage?: string }) => {
      const result = await context.client().request<{ resource_server: ResourceServerView; client_id: string; client_secret: string }>('POST', '/v1/resource-servers', {
        audience: options.audience,
        name: options.name,
        scopes: options.scope,
        ...(options.policyPackage ? { policy_package: options.policyPackage } : {}),
      });
      if (context.globals().json) return printJson(result);
      printRecord(result.resource_server as unknown as Record<string, unknown>);
      process.stdout.write(`\nIntrospection credentials (secret shown once, store it now):\n  client_id:     ${result.client_id}\n  client_secret: ${result.client_secret}\n`);
    });

  group
    .command('list')
    .description('list resource servers')
    .action(async () => {
      const { items } = await context.client().request<{ items: ResourceServerView[] }>('GET', '/v1/resource-servers');
      if (context.globals().json) return printJson(items);
      printTable(items as unknown as Array<Record<string, unknown>>, ['id', 'name', 'audience', 'scopes', 'client_id', 'policy_package']);
    });

  group
    .command('show <id>')
    .description('show one resource server')
    .action(async (id: string) => {
      await showRecord(context, `/v1/resource-servers/${encodeURIComponent(id)}`);
    });

  group
    .command('package <id> [package]')
    .description("bind the policy package its POST /v1/authorize calls evaluate (admin: policies:write); --clear: the server's package again")
    .option('--clear', "unbind: its decisions use the server's package (policy.decisionPackage)")
    .action(async (id: string, pkg: string | undefined, options: { clear?: boolean }) => {
      if (Boolean(options.clear) === (pkg !== undefined)) throw new CliError('give a PACKAGE to bind, or --clear to unbind (not both)', EXIT.usage);
      const item = await context.client().request<ResourceServerView>('PATCH', `/v1/resource-servers/${encodeURIComponent(id)}`, { policy_package: pkg ?? null });
      if (context.globals().json) return printJson(item);
      process.stdout.write(`resource server ${item.id}: ${item.policy_package ? `decisions evaluate package ${item.policy_package}` : "decisions evaluate the server's package"}\n`);
    });

  group
    .command('delete <id>')
    .description('delete a resource server (tokens can no longer be issued for its audience)')
    .action(async (id: string) => {
      await context.client().request('DELETE', `/v1/resource-servers/${encodeURIComponent(id)}`);
      if (context.globals().json) return printJson({ deleted: id });
      process.stdout.write(`resource server ${id} deleted\n`);
    });
};
