import type { RegisterCommands } from './context.js';
import { printJson, printTable } from './output.js';

interface JobView {
  name: string;
  kind: string;
  every_ms: number | null;
  singleton: boolean;
  next_run_at: string | null;
  last_run_at: string | null;
  last_error: string | null;
  runs: number;
  failures: number;
}

/** `mandate jobs`: the scheduler's timed jobs, as `GET /v1/jobs` lists them (admins, auditors). */
export const registerJobCommands: RegisterCommands = (program, context) => {
  program
    .command('jobs')
    .description("list the server's scheduled jobs: interval, next run, last run and last error; and whether this replica leads (runs the singleton jobs)")
    .action(async () => {
      const { items, leader, leader_since, replica } = await context.client().request<{ items: JobView[]; leader: boolean; leader_since: string | null; replica: string }>('GET', '/v1/jobs');
      if (context.globals().json) return printJson(items);
      // The replica that answered: with several behind one address, each answers for itself.
      process.stdout.write(`replica ${replica}: ${leader ? `leader since ${leader_since} (runs the singleton jobs)` : 'follower (singleton jobs run on the leader)'}\n`);
      printTable(items as unknown as Array<Record<string, unknown>>, ['name', 'kind', 'every_ms', 'singleton', 'next_run_at', 'last_run_at', 'runs', 'failures', 'last_error']);
    });
};
