import { createServer } from 'node:net';
import type { Dialect } from '../../src/storage/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A free loopback port, so the issuer can name the address the server really listens on. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A real Mandate server whose issuer is its own URL (metadata, aud and DPoP htu depend on it). */
export async function startIssuer(kind: Dialect, config: Record<string, unknown> = {}): Promise<TestServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    try {
      return await startTestServer({ kind, config: { port, issuer: `http://127.0.0.1:${port}`, ...config } });
    } catch (error) {
      if (attempt >= 3 || !String((error as Error).message).includes('EADDRINUSE')) throw error;
    }
  }
}

export interface Registered {
  id: string;
  clientId: string;
  clientSecret: string;
}

/** Registers an agent through the admin API (POST /v1/agents). */
export async function registerAgent(server: TestServer, extra: Record<string, unknown> = {}): Promise<Registered> {
  const { status, body } = await server.api('POST', '/v1/agents', {
    name: `sdk agent ${Math.random().toString(36).slice(2, 8)}`,
    purpose: 'exercises the SDK',
    owner: 'alice@example.com',
    scopes: ['orders:read', 'orders:write', 'mail:send'],
    tools: ['orders-api'],
    data_classification: 'internal',
    environment: 'production',
    ...extra,
  });
  if (status !== 201) throw new Error(`agent registration failed: ${status} ${JSON.stringify(body)}`);
  return { id: body.agent.id, clientId: body.client_id, clientSecret: body.client_secret };
}

/** Registers a resource server (POST /v1/resource-servers): its audience and feed credentials. */
export async function registerResourceServer(server: TestServer, audience: string, scopes: string[]): Promise<{ clientId: string; clientSecret: string }> {
  const { status, body } = await server.api('POST', '/v1/resource-servers', { name: `api ${Math.random().toString(36).slice(2, 8)}`, audience, scopes });
  if (status !== 201) throw new Error(`resource server registration failed: ${status} ${JSON.stringify(body)}`);
  return { clientId: body.client_id, clientSecret: body.client_secret };
}
