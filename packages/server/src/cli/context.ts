import type { Command } from 'commander';
import { createClient, type ApiClient, type GlobalOptions } from './client.js';
import { printJson, printRecord } from './output.js';

/** What a verb group needs from the program: the global options and an API client. */
export interface CliContext {
  globals(): GlobalOptions;
  client(): ApiClient;
}

export function contextFor(program: Command): CliContext {
  const globals = () => program.opts<GlobalOptions>();
  return { globals, client: () => createClient(globals()) };
}

/** Each verb group (one file per group, STYLE.md §1) adds its commands through one of these. */
export type RegisterCommands = (program: Command, context: CliContext) => void;

/** What a plain `show <id>` verb does: GET one record, then print it, as the API's JSON under --json, else as key/value lines. */
export async function showRecord(context: CliContext, path: string): Promise<void> {
  const record = await context.client().request<Record<string, unknown>>('GET', path);
  if (context.globals().json) return printJson(record);
  printRecord(record);
}
