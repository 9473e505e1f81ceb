import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const serverRoot = join(here, '..', '..', '..');
const cliEntry = join(serverRoot, 'src', 'cli', 'main.ts');
const recorder = join(here, 'record-modules.mjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** URLs of every module the process loaded (with `recordModules`), without repeats. */
  modules: string[];
}

export interface RunningCli {
  child: ChildProcess;
  /** What was written to stdout so far (until the test destroys the stream, if it does). */
  stdout(): string;
  exited: Promise<CliRun>;
}

/**
 * Runs `mandate <args>` as its own process, as a user's shell would (through tsx, so it runs the
 * current sources without a build). With `recordModules`, record-modules.mjs notes every module
 * the process loads.
 */
export function spawnCli(args: string[], options: { recordModules?: boolean; env?: Record<string, string> } = {}): RunningCli {
  const dir = options.recordModules ? mkdtempSync(join(tmpdir(), 'mandate-cli-modules-')) : null;
  const log = dir ? join(dir, 'modules.txt') : null;
  const child = spawn(process.execPath, ['--import', 'tsx', ...(log ? ['--import', recorder] : []), cliEntry, ...args], {
    cwd: serverRoot,
    env: { ...process.env, ...options.env, ...(log ? { RECORD_MODULES_TO: log } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliRun>((resolve) =>
    child.on('close', (code) => {
      let modules: string[] = [];
      if (dir && log) {
        modules = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
        rmSync(dir, { recursive: true, force: true });
      }
      resolve({ code, stdout, stderr, modules });
    }),
  );
  return { child, stdout: () => stdout, exited };
}

/** Runs `mandate <args>` to the end. */
export function runCliProcess(args: string[], options: { recordModules?: boolean; env?: Record<string, string> } = {}): Promise<CliRun> {
  return spawnCli(args, options).exited;
}
