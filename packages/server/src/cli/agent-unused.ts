import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from './context.js';
import { printJson, printRecord } from './output.js';

/** GET /v1/agents/{id}/unused-permissions (monitoring/unused.ts). */
interface UnusedReport {
  agent_id: string;
  days: number;
  since: string;
  decisions_read: number;
  complete: boolean;
  unused: { scopes: string[]; tools: string[]; data_classifications: string[] };
  suggested_patch: Record<string, unknown> | null;
}

function days(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 365) throw new InvalidArgumentError('a whole number of days, 1–365');
  return Number(value);
}

const list = (items: string[]) => (items.length > 0 ? items.join(', ') : '-');

/**
 * `mandate agent unused <id> [--days N] [--apply]`: the least-privilege report, and with
 * `--apply` the suggested narrowing sent as the PATCH it is (one step for the owner).
 */
export function registerUnusedCommand(agent: Command, context: CliContext): void {
  agent
    .command('unused <id>')
    .description('scopes, tools and data classes granted but unused in the last N days, and the narrowed registration')
    .option('--days <n>', 'look back this many days (server default: monitoring.unusedDays, 30)', days)
    .option('--apply', 'apply the suggested narrowing (PATCH /v1/agents/{id})')
    .action(async (id: string, options: { days?: number; apply?: boolean }) => {
      const agentPath = `/v1/agents/${encodeURIComponent(id)}`;
      const query = options.days === undefined ? '' : `?days=${options.days}`;
      const report = await context.client().request<UnusedReport>('GET', `${agentPath}/unused-permissions${query}`);
      const applied = options.apply && report.suggested_patch ? await context.client().request<Record<string, unknown>>('PATCH', agentPath, report.suggested_patch) : null;
      if (context.globals().json) return printJson({ ...report, applied: applied !== null });
      printRecord({
        agent: report.agent_id,
        since: `${report.since} (${report.days} days, ${report.decisions_read} decisions${report.complete ? '' : ', cut short: no suggestion'})`,
        unused_scopes: list(report.unused.scopes),
        unused_tools: list(report.unused.tools),
        unused_classes: list(report.unused.data_classifications),
        suggested_patch: report.suggested_patch === null ? '-' : JSON.stringify(report.suggested_patch),
      });
      if (applied) process.stdout.write(`\napplied: agent ${report.agent_id} narrowed\n`);
      else if (report.suggested_patch) process.stdout.write(`\napply with: mandate agent unused ${report.agent_id}${query ? ` --days ${report.days}` : ''} --apply\n`);
    });
}
