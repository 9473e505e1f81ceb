import type { Alert as AlertView } from '@mandate/sdk';
import { Option } from 'commander';
import type { RegisterCommands } from './context.js';
import { ALERT_STATUS_NAMES, SEVERITY_NAMES, SIGNAL_NAMES } from './names.js';
import { printJson, printRecord, printTable } from './output.js';
import { buckets, printSeries, type SeriesView } from './signal-series.js';

function row(a: AlertView): Record<string, unknown> {
  return {
    id: a.id,
    raised_at: a.raised_at,
    severity: a.severity,
    signal: a.signal,
    window: a.window,
    agent: a.agent_id,
    observed: a.observed,
    baseline: `${a.baseline.mean.toFixed(2)} ± ${a.baseline.deviation.toFixed(2)}`,
    status: a.status,
    suspended: a.agent_suspended ? 'yes' : 'no',
  };
}

const path = (id: string) => `/v1/alerts/${encodeURIComponent(id)}`;

/** `mandate alerts list|show|chart|ack|resolve`. */
export const registerAlertCommands: RegisterCommands = (program, context) => {
  const alerts = program.command('alerts').description("the monitor's alerts: list, show, acknowledge, resolve");

  alerts
    .command('list')
    .description('list alerts, newest first (default: open ones)')
    .addOption(new Option('--status <status>', 'which alerts').choices([...ALERT_STATUS_NAMES, 'all']).default('open'))
    .addOption(new Option('--signal <signal>', 'only this signal').choices([...SIGNAL_NAMES]))
    .addOption(new Option('--severity <severity>', 'only this severity').choices([...SEVERITY_NAMES]))
    .option('--agent <id>', "only this agent's alerts")
    .option('--limit <n>', 'page size (1–1000)', '100')
    .option('--cursor <cursor>', 'continue from a previous page')
    .action(async (options: { status: string; signal?: string; severity?: string; agent?: string; limit: string; cursor?: string }) => {
      const query = new URLSearchParams({ limit: options.limit });
      if (options.status !== 'all') query.set('status', options.status);
      for (const key of ['signal', 'severity', 'agent', 'cursor'] as const) if (options[key]) query.set(key, options[key]);
      const page = await context.client().request<{ items: AlertView[]; next_cursor: string | null }>('GET', `/v1/alerts?${query}`);
      if (context.globals().json) return printJson(page);
      printTable(page.items.map(row), ['id', 'raised_at', 'severity', 'signal', 'window', 'agent', 'observed', 'baseline', 'status', 'suspended']);
      if (page.next_cursor) process.stdout.write(`\nmore: --cursor ${page.next_cursor}\n`);
    });

  alerts
    .command('show <id>')
    .description('show one alert, with the audit seqs of its sample events (mandate audit query)')
    .action(async (id: string) => {
      const item = await context.client().request<AlertView>('GET', path(id));
      if (context.globals().json) return printJson(item);
      printRecord({ ...row(item), reason: item.reason, sample_seqs: item.sample_seqs.join(', '), acknowledged_by: item.acknowledged_by, resolved_by: item.resolved_by, note: item.note });
    });

  alerts
    .command('chart <id>')
    .description("the alert's signal per bucket around when it was raised: observed value against baseline")
    .option('--buckets <n>', 'how many buckets (1–500)', buckets, 24)
    .action(async (id: string, options: { buckets: number }) => {
      const answer = await context.client().request<{ alert: AlertView; series: SeriesView }>('GET', `${path(id)}/series?buckets=${options.buckets}`);
      if (context.globals().json) return printJson(answer);
      process.stdout.write(`alert ${answer.alert.id}: ${answer.alert.reason} (raised ${answer.alert.raised_at})\n\n`);
      if (Object.keys(answer.series.signals).length === 0) return void process.stdout.write('no series: an operational alert is not judged against a baseline\n');
      printSeries(answer.series);
    });

  for (const [verb, description] of [
    ['ack', 'acknowledge an open alert (someone is on it)'],
    ['resolve', 'resolve an alert; a suspended agent stays suspended until `mandate agent resume`'],
  ] as const) {
    alerts
      .command(`${verb} <id>`)
      .description(description)
      .option('--note <text>', 'a note kept with the alert and in the audit log')
      .action(async (id: string, options: { note?: string }) => {
        const item = await context.client().request<AlertView>('POST', `${path(id)}/${verb}`, options.note ? { note: options.note } : {});
        if (context.globals().json) return printJson(item);
        process.stdout.write(`alert ${item.id} ${item.status}\n`);
      });
  }
};
