import { registerAgent as registerWith, type AgentProfile, type RegisteredAgent } from '../support/agents.js';
import type { TestServer } from '../support/server.js';

export { registerResourceServer, startOAuthServer } from '../support/agents.js';

/** The SDK suites' agent: an orders assistant (the scopes the SDK tests ask for). */
const ORDERS_AGENT: AgentProfile = {
  name: 'sdk agent',
  purpose: 'exercises the SDK',
  owner: 'alice@example.com',
  scopes: ['orders:read', 'orders:write', 'mail:send'],
  tools: ['orders-api'],
  data_classification: 'internal',
  environment: 'production',
};

/** Registers an orders agent through the admin API (POST /v1/agents). */
export function registerAgent(server: TestServer, extra: Record<string, unknown> = {}): Promise<RegisteredAgent> {
  return registerWith(server, extra, ORDERS_AGENT);
}
