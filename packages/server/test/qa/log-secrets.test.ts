import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { createLogger } from '../../src/shared/logger.js';
import { newStoreLocation, storeKinds } from '../support/stores.js';
import { readFileSync } from 'node:fs';

/**
 * QA: run the server at trace level, use and abuse every credential the admin API hands out
 * (operator tokens, client secrets), and check that none of them reaches the log.
 */
describe.each(storeKinds())('no secret in the %s server log at trace level', (kind) => {
  let server: RunningServer;
  let log = '';
  let adminToken = '';
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const location = await newStoreLocation(kind);
    const config = loadConfig({ env: {}, flags: { port: 0, logLevel: 'trace', dataDir: location.dataDir, databaseUrl: location.databaseUrl } });
    server = await startServer(config, { logger: createLogger('trace', stream) });
    adminToken = readFileSync(`${location.dataDir}/admin-token`, 'utf8').trim();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function call(method: string, path: string, body?: unknown, token: string | null = adminToken, raw?: string) {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${server.url}${path}`, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    return { status: response.status, body: (await response.json().catch(() => null)) as any };
  }

  it('keeps operator tokens and client secrets out of the log', async () => {
    const secrets: string[] = [adminToken];
    const operator = await call('POST', '/v1/operators', { email: `logs-${kind}@example.com`, roles: ['owner'] });
    expect(operator.status).toBe(201);
    secrets.push(operator.body.token);
    const extra = await call('POST', `/v1/operators/${operator.body.operator.id}/tokens`, { description: 'second' });
    secrets.push(extra.body.token);

    const agent = await call('POST', '/v1/agents', {
      name: 'logs',
      purpose: 'logs',
      owner: `logs-${kind}@example.com`,
      scopes: [],
      tools: [],
      data_classification: 'public',
      environment: 'test',
    }, operator.body.token);
    expect(agent.status).toBe(201);
    secrets.push(agent.body.client_secret);
    const rotated = await call('POST', `/v1/agents/${agent.body.agent.id}/rotate-secret`, undefined, extra.body.token);
    expect(rotated.status).toBe(200);
    secrets.push(rotated.body.client_secret);

    // Abuse: secrets in refused bodies, in malformed JSON, in a garbled header, after revocation.
    expect((await call('PATCH', `/v1/agents/${agent.body.agent.id}`, { client_secret: rotated.body.client_secret })).status).toBe(400);
    expect((await call('POST', '/v1/agents', undefined, adminToken, `{"name":"${agent.body.client_secret}",`)).status).toBe(400);
    expect((await call('GET', '/v1/agents', undefined, `${operator.body.token} trailing`)).status).toBe(401);
    expect((await call('GET', '/v1/agents', undefined, `${operator.body.token}x`)).status).toBe(401);
    expect((await call('DELETE', `/v1/operators/tokens/${extra.body.token_id}`)).status).toBe(204);
    expect((await call('GET', '/v1/agents', undefined, extra.body.token)).status).toBe(401);
    expect((await call('POST', `/v1/operators/${operator.body.operator.id}/disable`)).status).toBe(200);
    expect((await call('GET', '/v1/agents', undefined, operator.body.token)).status).toBe(401);

    expect(log).toMatch(/incoming request/);
    for (const secret of secrets) {
      const [, secretPart] = secret.split('.');
      expect(log, `secret ${secret.slice(0, 8)}… in the log`).not.toContain(secret.startsWith('mop_') ? secretPart : secret);
    }
    // Nor are they kept in the audit log.
    const exported = await (await fetch(`${server.url}/v1/audit/export`, { headers: { authorization: `Bearer ${adminToken}` } })).text();
    expect(exported.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(exported).not.toContain(secret.split('.').pop()!);
  });
});
