import { vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startTestServer, type TestServer } from './server.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `mandate` CLI in process with captured output (the same code path as the binary). */
export async function runMandate(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** A fresh test server and the CLI's global flags that reach it as the bootstrap admin. */
export async function startCliServer(): Promise<{ server: TestServer; global: string[] }> {
  const server = await startTestServer();
  return { server, global: ['--url', server.url, '--token', server.adminToken] };
}
