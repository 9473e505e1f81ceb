import type { Command } from 'commander';
import { createClient, type ApiClient, type GlobalOptions } from './client.js';

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
