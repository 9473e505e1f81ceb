import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * Issue 10, item 10: a server whose stdout and stderr go to a pipe nobody reads (the process
 * that started it crashed, or a supervisor stopped reading) must keep serving and must still
 * stop within its grace period on SIGTERM, with long-polls open and a webhook in retry. Before
 * the fix pino buffered every line and, at exit, flushed synchronously, sleeping and retrying
 * on EAGAIN for ever: the process stopped listening but never exited.
 */
const serverRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const builtCli = join(serverRoot, 'dist', 'cli', 'main.js');

/** The grace period the server is given, and how far past it the exit may come (process start-up of the test machine, not the server). */
const GRACE_MS = 2_000;
const MARGIN_MS = 8_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A webhook receiver that always fails, so the server's delivery is in its retry backoff. */
async function failingReceiver(): Promise<{ url: string; hits: () => number; server: Server }> {
  let hits = 0;
  const server = createHttpServer((_request, response) => {
    hits += 1;
    response.statusCode = 500;
    response.end('down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/hook`, hits: () => hits, server };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('shutdown with nobody reading the output', () => {
  it('keeps serving while the output pipe is full, and exits within the grace period on SIGTERM', { timeout: 120_000 }, async () => {
    expect(existsSync(builtCli), `build first (npm run build): ${builtCli}`).toBe(true);
    const receiver = await failingReceiver();
    cleanups.push(() => receiver.server.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'mandate-shutdown-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const configFile = join(dataDir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        port,
        issuer: url,
        logLevel: 'info',
        shutdownGraceMs: GRACE_MS,
        approvals: { webhookUrl: receiver.url, webhookSecret: 'a-webhook-secret-of-32-characters', webhookAttempts: 5, webhookBackoffMs: 600_000 },
      }),
    );
    // stdout and stderr are pipes that this test never reads.
    const child = spawn(process.execPath, [builtCli, 'server', '--config', configFile], {
      cwd: serverRoot,
      env: { ...process.env, MANDATE_DATA_DIR: dataDir, MANDATE_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((exitCode = code))));

    // Ready when /healthz answers (it logs at warn, so polling it writes nothing).
    for (;;) {
      if (exitCode !== undefined) throw new Error(`server exited with ${exitCode} before it was ready`);
      const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const admin = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };

    // An agent asks for an approval: pending, and its webhook fails into a ten-minute backoff.
    const registered = await call('POST', '/v1/agents', admin, {
      name: 'shutdown agent',
      purpose: 'files reports',
      owner: 'alice@example.com',
      scopes: ['files.read'],
      tools: ['files'],
      data_classification: 'internal',
      environment: 'production',
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const basic = Buffer.from(`${registered.body.client_id}:${registered.body.client_secret}`).toString('base64');
    const tokenResponse = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(tokenResponse.status).toBe(200);
    const agentToken = ((await tokenResponse.json()) as { access_token: string }).access_token;
    const asked = await call('POST', '/v1/approvals', agentToken, { action: 'read', tool: 'files', resource: { type: 'file', id: 'report.pdf' }, reason: 'monthly report' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    while (receiver.hits() === 0) await new Promise((resolve) => setTimeout(resolve, 50));

    // Long-polls: the agent waits on its approval, an operator on the revocation feed.
    const approvalPoll = call('GET', `/v1/approvals/${asked.body.id}?wait=60`, agentToken);
    const feedPoll = fetch(`${url}/oauth2/revocations?wait=30`, { headers: { authorization: `Bearer ${admin}` } }).then((r) => r.status);

    // Fill the unread pipes: each request logs its (long) URL at info level, far more than a pipe holds.
    const pad = 'x'.repeat(4_000);
    const statuses: number[] = [];
    for (let round = 0; round < 40; round += 1) {
      const batch = Array.from({ length: 25 }, (_, i) =>
        fetch(`${url}/nowhere/${round}-${i}?pad=${pad}`, { signal: AbortSignal.timeout(30_000) }).then((r) => r.status, () => 0),
      );
      statuses.push(...(await Promise.all(batch)));
    }
    // Every one answered: the server did not stop for its output.
    expect(statuses.filter((s) => s !== 404)).toEqual([]);

    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const outcome = await Promise.race([exited.then((code) => ({ code })), new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), GRACE_MS + MARGIN_MS))]);
    expect(outcome, 'the server did not exit within its grace period').not.toBe('hung');
    // A clean stop: the long-polls were answered, the webhook's backoff abandoned, the store closed.
    expect(outcome).toEqual({ code: 0 });
    expect(Date.now() - signalledAt).toBeLessThan(GRACE_MS + MARGIN_MS);
    const polled = await approvalPoll;
    expect(polled.status).toBe(200);
    expect(polled.body.status).toBe('pending');
    expect(await feedPoll).toBe(200);
  });
});
