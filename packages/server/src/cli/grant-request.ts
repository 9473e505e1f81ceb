import { Option, type Command } from 'commander';
import type { CliContext, RegisterCommands } from './context.js';
import { GRANT_REQUEST_STATUS_NAMES } from './names.js';
import { printJson, printRecord, printTable } from './output.js';

/** A grant request as the API shows it (http/routes/grant-requests.ts). */
export interface GrantRequestView {
  id: string;
  kind: 'register' | 'update';
  agent_id: string | null;
  requested: Record<string, unknown>;
  exceeds: Record<string, unknown>;
  status: string;
  requested_by: string;
  requester_email: string;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
}

/** The 202 of a registration or change beyond the owner's grant ceiling. */
export interface Held {
  grant_request: GrantRequestView;
  message: string;
}

export const isHeld = (body: unknown): body is Held => typeof body === 'object' && body !== null && 'grant_request' in body;

const exceedsText = (exceeds: Record<string, unknown>) =>
  Object.entries(exceeds)
    .map(([key, value]) => `${key} ${Array.isArray(value) ? value.join(', ') : String(value)}`)
    .join('; ');

/** What `agent register|update` print when the server held the request for an admin (exit 0: accepted, not refused). */
export function printHeld(context: CliContext, held: Held): void {
  if (context.globals().json) return printJson(held);
  const g = held.grant_request;
  process.stdout.write(
    `held for an admin: grant request ${g.id} (beyond the grant ceiling: ${exceedsText(g.exceeds)})\n` +
      `nothing is ${g.kind === 'register' ? 'registered' : 'changed'} until an admin runs: mandate grant-request approve ${g.id}\n`,
  );
}

/** `mandate grant-request list|show|approve|deny`: owners' grants beyond their ceiling, decided by an admin. */
export const registerGrantRequestCommands: RegisterCommands = (program, context) => {
  const group = program.command('grant-request').description("owners' registrations and changes beyond their grant ceiling, waiting for an admin");

  group
    .command('list')
    .description('list grant requests, oldest first (admin)')
    .addOption(new Option('--status <status>', 'which requests').choices(GRANT_REQUEST_STATUS_NAMES).default('pending'))
    .action(async (options: { status: string }) => {
      const { items } = await context.client().request<{ items: GrantRequestView[] }>('GET', `/v1/grant-requests?status=${encodeURIComponent(options.status)}`);
      if (context.globals().json) return printJson(items);
      printTable(
        items.map((g) => ({ id: g.id, kind: g.kind, agent: g.agent_id ?? String(g.requested.name ?? ''), requested_by: g.requester_email, exceeds: exceedsText(g.exceeds), status: g.status })),
        ['id', 'kind', 'agent', 'requested_by', 'exceeds', 'status'],
      );
    });

  group
    .command('show <id>')
    .description('show one grant request: what was asked and what exceeds the ceiling')
    .action(async (id: string) => {
      const g = await context.client().request<GrantRequestView>('GET', `/v1/grant-requests/${encodeURIComponent(id)}`);
      if (context.globals().json) return printJson(g);
      printRecord({ ...g, requested: JSON.stringify(g.requested), exceeds: exceedsText(g.exceeds) });
    });

  for (const decision of ['approve', 'deny'] as const) {
    decide(group, context, decision);
  }
};

function decide(group: Command, context: CliContext, decision: 'approve' | 'deny'): void {
  group
    .command(`${decision} <id>`)
    .description(decision === 'approve' ? "apply it (admin, not the requester); a registered agent's secret is then issued by the owner with agent rotate-secret" : 'refuse it (admin, not the requester)')
    .option('--reason <text>', 'why (kept with the request and in the audit log)')
    .action(async (id: string, options: { reason?: string }) => {
      const result = await context.client().request<{ grant_request: GrantRequestView; agent: { id: string } | null }>(
        'POST',
        `/v1/grant-requests/${encodeURIComponent(id)}/${decision}`,
        options.reason ? { reason: options.reason } : {},
      );
      if (context.globals().json) return printJson(result);
      const g = result.grant_request;
      process.stdout.write(`grant request ${g.id} ${g.status}${result.agent ? ` (agent ${result.agent.id})` : ''}\n`);
    });
}
