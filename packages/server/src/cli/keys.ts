import type { RegisterCommands } from './context.js';
import { printJson, printTable } from './output.js';

interface KeyView {
  kid: string;
  alg: string;
  state: string;
  activates_at: string;
  retires_at: string | null;
  remove_at: string | null;
}

/** `mandate keys list|rotate`: the OAuth token-signing keys. */
export const registerKeyCommands: RegisterCommands = (program, context) => {
  const keys = program.command('keys').description('token signing keys (published in the JWKS)');

  const show = (items: KeyView[]) => {
    if (context.globals().json) return printJson(items);
    printTable(items as unknown as Array<Record<string, unknown>>, ['kid', 'alg', 'state', 'activates_at', 'retires_at', 'remove_at']);
  };

  keys
    .command('list')
    .description('list published keys: pending (not yet signing), active, retired (until their tokens expire)')
    .action(async () => {
      const { items } = await context.client().request<{ items: KeyView[] }>('GET', '/v1/keys');
      show(items);
    });

  keys
    .command('rotate')
    .description('publish a new signing key now; it signs after the publish delay (oauth.signingKeyPublishDelaySeconds)')
    .option('--immediate', 'sign with the new key at once (after a key compromise); caching verifiers refetch on the unknown kid')
    .action(async (options: { immediate?: boolean }) => {
      const { items } = await context.client().request<{ items: KeyView[] }>('POST', '/v1/keys/rotate', options.immediate ? { immediate: true } : {});
      show(items);
    });
};
