import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext } from './context.js';
import { SERIES_BUCKETS_MAX as BUCKETS_MAX, SERIES_WINDOW_NAMES } from './names.js';
import { printJson, printTable } from './output.js';

/** GET /v1/agents/{id}/signals and the `series` of GET /v1/alerts/{id}/series (monitoring/series.ts). */
export interface SeriesView {
  agent_id: string;
  window: string;
  bucket_seconds: number;
  times: string[];
  signals: Record<string, { kind: string; observed: number[]; mean: number[]; deviation: number[]; threshold: Array<number | null> }>;
  entries_read: number;
  complete: boolean;
}


export function buckets(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > BUCKETS_MAX) throw new InvalidArgumentError(`a whole number of buckets, 1–${BUCKETS_MAX}`);
  return Number(value);
}

const shown = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/**
 * A series as a table: one row per bucket, for each signal its observed value and, after a
 * slash, the baseline it was judged against (mean; a `!` marks a bucket at or over the alert threshold).
 */
export function printSeries(series: SeriesView): void {
  const names = Object.keys(series.signals);
  const rows = series.times.map((time, i) => {
    const row: Record<string, unknown> = { time };
    for (const name of names) {
      const line = series.signals[name]!;
      const threshold = line.threshold[i];
      const over = threshold !== null && threshold !== undefined && line.observed[i]! >= threshold ? '!' : '';
      row[name] = `${shown(line.observed[i]!)}${over} / ${shown(line.mean[i]!)}`;
    }
    return row;
  });
  printTable(rows, ['time', ...names]);
  process.stdout.write(`\n${series.window} buckets; each cell: observed / baseline mean ("!" at or over the alert threshold); ${series.entries_read} audit entries read${series.complete ? '' : ' (cut short: counts are lower bounds)'}\n`);
}

/** `mandate agent signals <id> [--window 1h] [--buckets 48]`: the six signals with their baselines. */
export function registerSignalsCommand(agent: Command, context: CliContext): void {
  agent
    .command('signals <id>')
    .description("the agent's six monitor signals per bucket, each with the baseline it was judged against")
    .addOption(new Option('--window <window>', 'bucket size').choices([...SERIES_WINDOW_NAMES]).default('1h'))
    .option('--buckets <n>', `how many buckets, newest last (1–${BUCKETS_MAX})`, buckets, 24)
    .action(async (id: string, options: { window: string; buckets: number }) => {
      const query = new URLSearchParams({ window: options.window, buckets: String(options.buckets) });
      const series = await context.client().request<SeriesView>('GET', `/v1/agents/${encodeURIComponent(id)}/signals?${query}`);
      if (context.globals().json) return printJson(series);
      printSeries(series);
    });
}
