import { spawn, type ChildProcess } from 'node:child_process';
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
