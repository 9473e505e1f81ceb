/**
 * Mandate as a benchmark's server role: a fresh SQLite data directory, the port the driver chose
 * (BENCH_PORT), silent logs, and the issuer equal to the address it listens on.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Starts Mandate with `flags` on top of the bench defaults; the server code loads only in the child. */
export async function startBenchMandate(dataDirPrefix: string, flags: Record<string, unknown>) {
  const { loadConfig } = await import('../../src/config/load.js');
  const { startServer } = await import('../../src/server/start.js');
  const dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
  const port = Number(process.env.BENCH_PORT);
  const issuer = `http://127.0.0.1:${port}`;
  const config = loadConfig({ env: {}, flags: { port, issuer, logLevel: 'silent', dataDir, ...flags } });
  return { server: await startServer(config), issuer, dataDir };
}
