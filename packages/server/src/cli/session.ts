import type { BrowserSession } from '@mandate/sdk';
import type { RegisterCommands } from './context.js';
import { printJson, printTable } from './output.js';

/** `mandate session list|revoke`: browser sessions of operators and people (docs/signin.md); admins revoke. */
export const registerSessionCommands: RegisterCommands = (program, context) => {
  const session = program.command('session').description('browser sessions of operators and people (sign-in at the company IdP or with an operator token)');
  session
    .command('list')
    .description('list live sessions, newest first (never their cookies)')
    .action(async () => {
      const { items } = await context.client().request<{ items: BrowserSession[] }>('GET', '/v1/sessions');
      if (context.globals().json) return printJson(items);
      printTable(items as unknown as Array<Record<string, unknown>>, ['id', 'kind', 'principal_id', 'email', 'method', 'idp', 'created_at', 'last_seen_at', 'idle_expires_at']);
    });
  session
    .command('revoke <id>')
    .description('end a session at once (the browser must sign in again)')
    .action(async (id: string) => {
      await context.client().request('DELETE', `/v1/sessions/${encodeURIComponent(id)}`);
      if (context.globals().json) return printJson({ revoked: id });
      process.stdout.write(`session ${id} revoked\n`);
    });
};
