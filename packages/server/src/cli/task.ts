import { showRecord, type RegisterCommands } from './context.js';
import { CliError, EXIT } from './client.js';
import { printJson, printRecord } from './output.js';

/** `mandate task open|show|complete`: per-task credentials (operators open tasks for an agent). */
export const registerTaskCommands: RegisterCommands = (program, context) => {
  const task = program.command('task').description('tasks: credentials issued with a task id end with it');

  task
    .command('open')
    .description('open a task for an agent')
    .requiredOption('--agent <id>', 'the agent the task is for')
    .option('--ttl <seconds>', 'closes by itself after this long (default 1 h)')
    .option('--description <text>', 'what the task is')
    .action(async (options: { agent: string; ttl?: string; description?: string }) => {
      const body: Record<string, unknown> = { agent_id: options.agent };
      if (options.ttl !== undefined) {
        if (!/^\d+$/.test(options.ttl)) throw new CliError('--ttl takes whole seconds', EXIT.usage);
        body.ttl_seconds = Number(options.ttl);
      }
      if (options.description) body.description = options.description;
      const opened = await context.client().request<Record<string, unknown>>('POST', '/v1/tasks', body);
      if (context.globals().json) return printJson(opened);
      printRecord(opened);
    });

  task
    .command('show <id>')
    .description('show one task: its agent, status and when it closes')
    .action(async (id: string) => {
      await showRecord(context, `/v1/tasks/${encodeURIComponent(id)}`);
    });

  task
    .command('complete <id>')
    .description('complete a task: everything issued with its id is revoked')
    .action(async (id: string) => {
      const closed = await context.client().request<{ id: string; status: string; revoked: Array<{ kind: string; id: string }> }>('POST', `/v1/tasks/${encodeURIComponent(id)}/complete`, {});
      if (context.globals().json) return printJson(closed);
      process.stdout.write(`task ${closed.id} ${closed.status}; revoked: ${closed.revoked.map((r) => `${r.kind} ${r.id}`).join(', ') || '(nothing)'}\n`);
    });
};
