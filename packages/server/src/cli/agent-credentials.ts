import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { printJson, printTable } from './output.js';

/** GET /v1/agents/{id}/credentials. */
interface CredentialsView {
  agent_id: string;
  tokens: Array<{ jti: string; issued_at: string; expires_at: string; grant_type: string; scopes: string[]; chain_id: string | null; task_id: string | null }>;
  tokens_complete: boolean;
  certificates: Array<{ serial: string; spiffe_id: string; not_after: string; task_id: string | null }>;
  leases: Array<{ lease_id: string; path: string; status: string; expires_at: string }> | null;
  tasks: Array<{ id: string; description: string | null; expires_at: string }>;
}

/** GET /v1/agents/{id}/delegations. */
interface LinkView {
  jti: string;
  chain_id: string;
  parent_jti: string | null;
  root: { sub: string; iss: string };
  agent_id: string;
  depth: number;
  scopes: string[];
  expires_at: string;
}

function section(title: string, rows: Array<Record<string, unknown>>, columns: string[]): void {
  process.stdout.write(`${title} (${rows.length})\n`);
  if (rows.length > 0) printTable(rows, columns);
  process.stdout.write('\n');
}

/** Each chain as an indented tree: a link under its parent, roots first. */
function printForest(links: LinkView[]): void {
  const children = new Map<string | null, LinkView[]>();
  const known = new Set(links.map((l) => l.jti));
  for (const link of links) {
    const parent = link.parent_jti !== null && known.has(link.parent_jti) ? link.parent_jti : null;
    children.set(parent, [...(children.get(parent) ?? []), link]);
  }
  const walk = (parent: string | null, indent: string) => {
    for (const link of children.get(parent) ?? []) {
      // At the top of a tree, who the chain acts for.
      const root = parent === null ? `${link.root.sub} → ` : '';
      process.stdout.write(`${indent}${root}${link.agent_id}  depth ${link.depth}  [${link.scopes.join(' ')}]  until ${link.expires_at}  (chain ${link.chain_id}, jti ${link.jti})\n`);
      walk(link.jti, `${indent}  `);
    }
  };
  walk(null, '');
}

/** `mandate agent credentials <id>` and `mandate agent delegations <id>`. */
export function registerCredentialCommands(agent: Command, context: CliContext): void {
  agent
    .command('credentials <id>')
    .description('what the agent holds now: access tokens not expired nor revoked, certificates, leases, open tasks')
    .action(async (id: string) => {
      const view = await context.client().request<CredentialsView>('GET', `/v1/agents/${encodeURIComponent(id)}/credentials`);
      if (context.globals().json) return printJson(view);
      section(`tokens${view.tokens_complete ? '' : ', newest only'}`, view.tokens.map((t) => ({ ...t, scopes: t.scopes.join(' '), chain: t.chain_id ?? '-', task: t.task_id ?? '-' })), ['jti', 'issued_at', 'expires_at', 'grant_type', 'scopes', 'chain', 'task']);
      section('certificates', view.certificates.map((c) => ({ ...c, task: c.task_id ?? '-' })), ['serial', 'spiffe_id', 'not_after', 'task']);
      if (view.leases === null) process.stdout.write('leases: not shown (needs the leases:read permission)\n\n');
      else section('leases', view.leases, ['lease_id', 'path', 'status', 'expires_at']);
      section('open tasks', view.tasks, ['id', 'description', 'expires_at']);
    });

  agent
    .command('delegations <id>')
    .description('the live delegation chains the agent takes part in, drawn as trees')
    .action(async (id: string) => {
      const view = await context.client().request<{ agent_id: string; items: LinkView[] }>('GET', `/v1/agents/${encodeURIComponent(id)}/delegations`);
      if (context.globals().json) return printJson(view);
      if (view.items.length === 0) return void process.stdout.write('no live delegation chain\n');
      printForest(view.items);
    });
}
