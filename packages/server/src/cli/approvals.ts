import type { Approval } from '@mandate/sdk';
import { Option } from 'commander';
import type { RegisterCommands } from './context.js';
import { APPROVAL_STATUS_NAMES } from './names.js';
import { wholeNumber } from './numbers.js';
import { printJson, printRecord, printTable } from './output.js';

/**
 * An approval as the API sends it: the SDK's wire type, imported as a type only (erased at run
 * time, so the verb still loads no code beyond the CLI's own).
 */
type ApprovalView = Approval;

/** One line per approval in tables: what, on what, for whom, and how long it has left. */
function row(a: ApprovalView): Record<string, unknown> {
  return {
    id: a.id,
    status: a.status,
    agent: a.agent_id,
    action: a.action,
    tool: a.tool,
    resource: `${a.resource.type}:${a.resource.id}`,
    // Compact, so the approver sees what the approval is bound to (`show` prints it whole).
    context: JSON.stringify(a.request_context ?? {}),
    for: a.on_behalf_of,
    approvals: `${a.approvals.length}/${a.required_approvals}`,
    expires_at: a.expires_at,
  };
}

function printApproval(a: ApprovalView): void {
  printRecord({
    id: a.id,
    status: a.status,
    agent: a.agent_id,
    chain: a.chain.map((l) => (l.client_id && l.client_id !== l.sub ? `${l.sub} (${l.client_id})` : l.sub)).join(' → '),
    on_behalf_of: a.on_behalf_of,
    action: a.action,
    tool: a.tool,
    resource: a.resource,
    context: a.request_context ?? {},
    reason: a.reason,
    origin: a.origin,
    facts: a.context,
    approvals: a.approvals.map((r) => r.operator_id).join(', ') || '-',
    required: a.required_approvals,
    created_at: a.created_at,
    expires_at: a.expires_at,
    decided_by: a.decided_by,
    decided_at: a.decided_at,
    decision_reason: a.decision_reason,
    used_at: a.used_at,
    binding_hash: a.binding_hash,
  });
}

const path = (id: string) => `/v1/approvals/${encodeURIComponent(id)}`;

/** `mandate approvals list|show|approve|deny`. */
export const registerApprovalCommands: RegisterCommands = (program, context) => {
  const approvals = program.command('approvals').description('human approval requests: list, show, approve, deny');

  approvals
    .command('list')
    .description('list approval requests, oldest first (default: pending)')
    .addOption(new Option('--status <status>', 'which requests').choices([...APPROVAL_STATUS_NAMES, 'all']).default('pending'))
    .option('--agent <id>', 'only this agent\'s requests')
    .option('--limit <n>', 'page size (1–1000)', '100')
    .option('--cursor <cursor>', 'continue from a previous page')
    .action(async (options: { status: string; agent?: string; limit: string; cursor?: string }) => {
      const query = new URLSearchParams({ limit: options.limit });
      if (options.status !== 'all') query.set('status', options.status);
      if (options.agent) query.set('agent_id', options.agent);
      if (options.cursor) query.set('cursor', options.cursor);
      const page = await context.client().request<{ items: ApprovalView[]; next_cursor: string | null }>('GET', `/v1/approvals?${query}`);
      if (context.globals().json) return printJson(page);
      printTable(page.items.map(row), ['id', 'status', 'agent', 'action', 'tool', 'resource', 'context', 'for', 'approvals', 'expires_at']);
      if (page.next_cursor) process.stdout.write(`\nmore: --cursor ${page.next_cursor}\n`);
    });

  approvals
    .command('show <id>')
    .description('show one approval request')
    .option('--wait <seconds>', 'wait up to this long for a decision (long-poll)', wholeNumber)
    .action(async (id: string, options: { wait?: number }) => {
      const suffix = options.wait ? `?wait=${options.wait}` : '';
      const item = await context.client().request<ApprovalView>('GET', `${path(id)}${suffix}`);
      if (context.globals().json) return printJson(item);
      printApproval(item);
    });

  for (const verb of ['approve', 'deny'] as const) {
    approvals
      .command(`${verb} <id>`)
      .description(verb === 'approve' ? 'approve a pending request (two-person actions need a second approver)' : 'deny a pending request; the reason is shown to the agent')
      .option('--reason <text>', verb === 'approve' ? 'why (recorded in the audit log)' : 'why (shown to the agent)')
      .action(async (id: string, options: { reason?: string }) => {
        const item = await context.client().request<ApprovalView>('POST', `${path(id)}/${verb}`, options.reason ? { reason: options.reason } : {});
        if (context.globals().json) return printJson(item);
        const waiting = item.status === 'pending' ? ` (${item.approvals.length} of ${item.required_approvals} approvals; needs another approver)` : '';
        process.stdout.write(`approval ${item.id} ${item.status}${waiting}\n`);
      });
  }
};
