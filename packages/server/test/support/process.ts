import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliEntry = join(serverRoot, 'src', 'cli', 'main.ts');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Runs `mandate <args>` as a real child process (through tsx, so no build is needed). */
export function spawnMandate(args: string[], env: Record<string, string>): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, ...args], {
    cwd: serverRoot,
    env: { ...process.env, MANDATE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Starts `mandate server` on a random port and resolves once it logs that it listens. */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const proc = spawnMandate(['server', '--port', '0'], env);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /"url":"(http:\/\/[^"]+)"[^\n]*mandate listening/.exec(proc.stdout());
      if (match) {
        clearInterval(timer);
        resolve(match[1]!);
      }
    }, 50);
    void proc.exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`server exited with ${code} before listening:\n${proc.stderr()}\n${proc.stdout()}`));
    });
  });
  return { ...proc, url };
}

/** A loopback port free right now (the kernel picks it; closed again before it is returned). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServerChild {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

/**
 * Starts `mandate server` on the store at `location` as a child process that a test may kill
 * (SIGKILL for crash tests), and resolves once /readyz answers — asking, never sleeping a
 * fixed time. `built: true` runs dist/ as users do (needs `npm run build`); else src/ through tsx.
 * The child is pushed on `children` so the suite's afterEach can kill what is left. `env` is
 * added to the child's environment; `readyTimeoutMs` (default 60 s) bounds the wait for /readyz.
 */
export async function startServerChild(
  location: { dataDir: string; databaseUrl?: string | null | undefined },
  children: ChildProcess[],
  options: { built?: boolean; env?: Record<string, string>; readyTimeoutMs?: number } = {},
): Promise<ServerChild> {
  const port = await freePort();
  const entry = options.built ? [join(serverRoot, 'dist', 'cli', 'main.js')] : ['--import', 'tsx', cliEntry];
  const child = spawn(process.execPath, [...entry, '--data-dir', location.dataDir, 'server', '--port', String(port), '--log-level', 'warn'], {
    cwd: serverRoot,
    // `env` adds to or overrides these (replicas share a master key, an issuer and a config file).
    env: { ...process.env, MANDATE_DATABASE_URL: location.databaseUrl ?? '', MANDATE_MASTER_KEY: '', ...(options.env ?? {}) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`server exited during start: ${stderr}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (attempt > (options.readyTimeoutMs ?? 60_000) / 100) throw new Error(`server did not become ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, exited };
}
