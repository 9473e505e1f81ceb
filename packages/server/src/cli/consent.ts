import type { RegisterCommands } from './context.js';
import { printJson, printRecord, printTable } from './output.js';

interface ConsentView {
  id: string;
  user: string;
  client_id: string;
  client_name: string;
  resource: string;
  scopes: string[];
  created_at: string;
}

/** `mandate consent list|revoke`: consents people gave to clients (their own; an admin's: everyone's). */
export const registerConsentCommands: RegisterCommands = (program, context) => {
  const group = program.command('consent').description('consents people gave to OAuth clients: yours, or everyone’s with consents:read');

  group
    .command('list')
    .description('list consents (admins and auditors: every person’s; others: their own)')
    .option('--user <user>', 'only this person’s')
    .action(async (options: { user?: string }) => {
      const query = options.user ? `?user=${encodeURIComponent(options.user)}` : '';
      const { items } = await context.client().request<{ items: ConsentView[] }>('GET', `/v1/consents${query}`);
      if (context.globals().json) return printJson(items);
      printTable(items as unknown as Array<Record<string, unknown>>, ['id', 'user', 'client_name', 'client_id', 'resource', 'scopes', 'created_at']);
    });

  group
    .command('revoke <id>')
    .description('revoke a consent: the client must ask again; its refresh tokens stop and its access tokens are revoked')
    .action(async (id: string) => {
      const item = await context.client().request<ConsentView>('DELETE', `/v1/consents/${encodeURIComponent(id)}`);
      if (context.globals().json) return printJson(item);
      printRecord(item as unknown as Record<string, unknown>);
      process.stdout.write(`consent ${id} revoked\n`);
    });
};
