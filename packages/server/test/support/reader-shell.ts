import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serverRoot } from '../cli/support/spawn.js';

/**
 * Runs shell text from the docs as a reader would: bash with `set -euo pipefail`, no MANDATE_*
 * from the test run but the server's address in MANDATE_HOST/MANDATE_PORT (and MANDATE_URL for
 * what the docs' prose defines), and `npx mandate` / `mandate` running the CLI from the sources
 * (the workspace bin runs the same code, built). Used by the README and docs command tests.
 */
const cliEntry = join(serverRoot, 'src', 'cli', 'main.ts');
/** tsx as a URL: the commands run in a directory outside the repository. */
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface ShellRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runAsReader(script: string, cwd: string, serverUrl: string, options: { defineUrl?: boolean } = {}): Promise<ShellRun> {
  const { port, hostname } = new URL(serverUrl);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MANDATE_'))) as Record<string, string>;
  const prelude = [
    'set -euo pipefail',
    `npx() { if [ "$1" = mandate ]; then shift; node --import ${tsx} ${JSON.stringify(cliEntry)} "$@"; else command npx "$@"; fi; }`,
    'mandate() { npx mandate "$@"; }',
    ...(options.defineUrl ? [`MANDATE_URL=http://${hostname}:${port}`] : []),
  ].join('\n');
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `${prelude}\n${script}`], { cwd, env: { ...env, MANDATE_HOST: hostname, MANDATE_PORT: port }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
