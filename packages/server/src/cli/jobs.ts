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
    .description("list the server's scheduled jobs: interval, next run, last run and last error")
    .action(async () => {
      const { items } = await context.client().request<{ items: JobView[] }>('GET', '/v1/jobs');
      if (context.globals().json) return printJson(items);
      printTable(items as unknown as Array<Record<string, unknown>>, ['name', 'kind', 'every_ms', 'singleton', 'next_run_at', 'last_run_at', 'runs', 'failures', 'last_error']);
    });
};
