import type { RegisterCommands } from './context.js';
import { printJson, printRecord, printTable } from './output.js';

interface ResourceServerView {
  id: string;
  name: string;
  audience: string;
  scopes: string[];
  client_id: string;
  created_at: string;
}

/** `mandate resource-server create|list|show|delete`: APIs that accept Mandate tokens (RFC 8707 audiences). */
export const registerResourceServerCommands: RegisterCommands = (program, context) => {
  const group = program.command('resource-server').description('resource servers: token audiences, their scopes, and introspection credentials');

  group
    .command('create')
    .description('register a resource server; prints its introspection client secret once')
    .requiredOption('--audience <uri>', 'absolute URI agents pass as `resource` and tokens carry as `aud`')
    .requiredOption('--name <name>', 'display name')
    .option('--scope <scope...>', 'scopes this resource server accepts', [])
    .action(async (options: { audience: string; name: string; scope: string[] }) => {
      const result = await context.client().request<{ resource_server: ResourceServerView; client_id: string; client_secret: string }>('POST', '/v1/resource-servers', {
        audience: options.audience,
        name: options.name,
        scopes: options.scope,
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
      printTable(items as unknown as Array<Record<string, unknown>>, ['id', 'name', 'audience', 'scopes', 'client_id']);
    });

  group
    .command('show <id>')
    .description('show one resource server')
    .action(async (id: string) => {
      const item = await context.client().request<ResourceServerView>('GET', `/v1/resource-servers/${encodeURIComponent(id)}`);
      if (context.globals().json) return printJson(item);
      printRecord(item as unknown as Record<string, unknown>);
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
