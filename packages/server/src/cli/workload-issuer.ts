import { CliError } from './client.js';
import type { RegisterCommands } from './context.js';
import { printJson, printTable } from './output.js';

interface IssuerView {
  id: string;
  issuer: string;
  jwks_uri: string | null;
  audience: string;
  rules: Array<Record<string, string>>;
}

const RULE_FIELDS = ['agent', 'sub', 'namespace', 'service_account', 'spiffe_id'];

/** `--rule agent=ID,namespace=NS,service_account=SA`: one mapping rule, every field must match. */
function parseRule(text: string): Record<string, string> {
  const rule: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    if (!RULE_FIELDS.includes(key)) throw new CliError(`--rule '${text}': each part is key=value with key one of ${RULE_FIELDS.join(', ')}`, 2);
    rule[key === 'agent' ? 'agent_id' : key] = part.slice(eq + 1).trim();
  }
  if (!rule.agent_id) throw new CliError(`--rule '${text}': name the agent (agent=<id>)`, 2);
  return rule;
}

/** `mandate workload-issuer add|list|remove`: issuers whose JWTs authenticate agents (federation). */
export const registerWorkloadIssuerCommands: RegisterCommands = (program, context) => {
  const group = program.command('workload-issuer').description('trusted workload issuers (Kubernetes, SPIRE): agents authenticate with a JWT they already have');

  group
    .command('add')
    .description('trust an issuer; its tokens authenticate the one agent a rule maps them to')
    .requiredOption('--issuer <url>', 'the iss of its tokens')
    .option('--jwks-uri <url>', 'its keys (default: OIDC discovery at <issuer>/.well-known/openid-configuration)')
    .option('--audience <aud>', "the aud its tokens must carry (default: Mandate's issuer URL)")
    .option('--rule <rule>', 'agent=<id>,namespace=<ns>,service_account=<sa> (also sub=, spiffe_id=); repeat for more', (value: string, all: string[] = []) => [...all, value])
    .action(async (options: { issuer: string; jwksUri?: string; audience?: string; rule?: string[] }) => {
      if (!options.rule?.length) throw new CliError('give at least one --rule', 2);
      const body = { issuer: options.issuer, rules: options.rule.map(parseRule), ...(options.jwksUri ? { jwks_uri: options.jwksUri } : {}), ...(options.audience ? { audience: options.audience } : {}) };
      const created = await context.client().request<IssuerView>('POST', '/v1/workload-issuers', body);
      if (context.globals().json) return printJson(created);
      process.stdout.write(`added ${created.id} (${created.issuer})\n`);
    });

  group
    .command('list')
    .description('list trusted workload issuers and their rules')
    .action(async () => {
      const { items } = await context.client().request<{ items: IssuerView[] }>('GET', '/v1/workload-issuers');
      if (context.globals().json) return printJson(items);
      printTable(
        items.map((i) => ({ ...i, rules: i.rules.map((r) => Object.entries(r).map(([k, v]) => `${k}=${v}`).join(',')).join(' ; ') })),
        ['id', 'issuer', 'audience', 'rules'],
      );
    });

  group
    .command('remove')
    .description('stop trusting an issuer')
    .argument('<id>', 'its id (wli_…)')
    .action(async (id: string) => {
      await context.client().request('DELETE', `/v1/workload-issuers/${encodeURIComponent(id)}`);
      if (!context.globals().json) process.stdout.write(`removed ${id}\n`);
    });
};
