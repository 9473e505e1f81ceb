import { showRecord, type RegisterCommands } from './context.js';
import { printJson, printRecord, printTable } from './output.js';

interface IdpView {
  id: string;
  name: string;
  issuer: string;
  jwks_uri: string;
  audiences: string[];
  user_claim: string;
  created_at: string;
}

/** `mandate idp add|list|show|remove`: the identity providers whose users' tokens and ID-JAGs Mandate trusts. */
export const registerIdpCommands: RegisterCommands = (program, context) => {
  const group = program.command('idp').description("trusted identity providers: users' tokens for token exchange and ID-JAG assertions");

  group
    .command('add')
    .description('trust an identity provider')
    .requiredOption('--issuer <url>', "its issuer, exactly as its tokens' iss")
    .requiredOption('--jwks-uri <url>', 'where it publishes its signing keys')
    .requiredOption('--audience <aud...>', "accepted aud of users' tokens (e.g. the client id Mandate has at the IdP)")
    .option('--user-claim <claim>', 'the claim naming the user', 'sub')
    .option('--name <name>', 'display name')
    .action(async (options: { issuer: string; jwksUri: string; audience: string[]; userClaim: string; name?: string }) => {
      const idp = await context.client().request<IdpView>('POST', '/v1/idps', {
        issuer: options.issuer,
        jwks_uri: options.jwksUri,
        audiences: options.audience,
        user_claim: options.userClaim,
        ...(options.name ? { name: options.name } : {}),
      });
      if (context.globals().json) return printJson(idp);
      printRecord(idp as unknown as Record<string, unknown>);
    });

  group
    .command('list')
    .description('list trusted identity providers')
    .action(async () => {
      const { items } = await context.client().request<{ items: IdpView[] }>('GET', '/v1/idps');
      if (context.globals().json) return printJson(items);
      printTable(items as unknown as Array<Record<string, unknown>>, ['id', 'name', 'issuer', 'audiences', 'user_claim']);
    });

  group
    .command('show <id>')
    .description('show one trusted identity provider')
    .action(async (id: string) => {
      await showRecord(context, `/v1/idps/${encodeURIComponent(id)}`);
    });

  group
    .command('remove <id>')
    .description('stop trusting an identity provider (its tokens and assertions are refused from now on)')
    .action(async (id: string) => {
      await context.client().request('DELETE', `/v1/idps/${encodeURIComponent(id)}`);
      if (context.globals().json) return printJson({ removed: id });
      process.stdout.write(`identity provider ${id} removed\n`);
    });
};
