import { showRecord, type RegisterCommands } from './context.js';
import { printJson, printRecord, printTable } from './output.js';

interface ClientView {
  client_id: string;
  name: string;
  type: string;
  redirect_uris: string[];
  client_uri: string | null;
  logo_uri: string | null;
  created_at: string;
}

/** `mandate client add|list|show|remove`: people's pre-registered OAuth clients (authorization code + PKCE). */
export const registerClientCommands: RegisterCommands = (program, context) => {
  const group = program.command('client').description("people's OAuth clients (MCP clients, apps): authorization code with PKCE; a client_id URL (CIMD) needs no registration");

  group
    .command('add')
    .description('register a client; a confidential one gets a client secret, printed once')
    .requiredOption('--name <name>', 'display name, shown on the consent page')
    .requiredOption('--redirect-uri <uri...>', 'exact redirect URIs (https, http on a loopback host, or a private-use scheme)')
    .option('--confidential', 'a confidential client (with a client secret); default: public (PKCE only)')
    .option('--client-uri <url>', 'its home page, shown on the consent page')
    .option('--logo-uri <url>', 'its logo (https), shown on the consent page')
    .action(async (options: { name: string; redirectUri: string[]; confidential?: boolean; clientUri?: string; logoUri?: string }) => {
      const result = await context.client().request<{ client: ClientView; client_secret: string | null }>('POST', '/v1/clients', {
        name: options.name,
        type: options.confidential ? 'confidential' : 'public',
        redirect_uris: options.redirectUri,
        ...(options.clientUri ? { client_uri: options.clientUri } : {}),
        ...(options.logoUri ? { logo_uri: options.logoUri } : {}),
      });
      if (context.globals().json) return printJson(result);
      printRecord(result.client as unknown as Record<string, unknown>);
      if (result.client_secret !== null) process.stdout.write(`\nClient secret (shown once, store it now):\n  ${result.client_secret}\n`);
    });

  group
    .command('list')
    .description('list registered clients')
    .action(async () => {
      const { items } = await context.client().request<{ items: ClientView[] }>('GET', '/v1/clients');
      if (context.globals().json) return printJson(items);
      printTable(items as unknown as Array<Record<string, unknown>>, ['client_id', 'name', 'type', 'redirect_uris']);
    });

  group
    .command('show <client-id>')
    .description('show one registered client')
    .action(async (id: string) => {
      await showRecord(context, `/v1/clients/${encodeURIComponent(id)}`);
    });

  group
    .command('remove <client-id>')
    .description('remove a registered client (it can no longer start authorizations or redeem codes)')
    .action(async (id: string) => {
      await context.client().request('DELETE', `/v1/clients/${encodeURIComponent(id)}`);
      if (context.globals().json) return printJson({ removed: id });
      process.stdout.write(`client ${id} removed\n`);
    });
};
