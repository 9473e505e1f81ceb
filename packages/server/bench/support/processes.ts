/**
 * Server processes for the benchmarks that measure over HTTP: each server runs in a child process
 * pinned to CPU 0, the load generator in this process pinned to CPU 1, so neither steals the
 * other's core on a two-core machine.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';

/**
 * Pins this process (the load generator) to CPU 1 when the machine has two cores and taskset
 * works; returns whether the servers should be pinned to CPU 0.
 */
export function pinDriver(): boolean {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `script` again under tsx as the server `role` (BENCH_ROLE) on a random port above
 * `portBase` (BENCH_PORT), pinned to CPU 0 when `pinned`, and resolves with its first stdout
 * line: the server writes one JSON line once it is ready.
 */
export async function spawnRole(
  script: string,
  role: string,
  portBase: number,
  pinned: boolean,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; line: string }> {
  const port = portBase + Math.floor(Math.random() * 1000);
  const args = ['--import', 'tsx', '--no-warnings', script];
  const command = pinned ? 'taskset' : process.execPath;
  const argv = pinned ? ['-c', '0', process.execPath, ...args] : args;
  const child = spawn(command, argv, { env: { ...process.env, ...env, BENCH_ROLE: role, BENCH_PORT: String(port), NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
  return { child, line };
}

/** An HTTP Basic authorization header value for an OAuth client (RFC 6749 §2.3.1: form-encoded parts). */
export function basicAuthorization(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}
