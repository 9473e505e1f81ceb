import { expect } from 'vitest';
import type { TestServer } from '../support/server.js';
import { basic, postForm, registerAgent } from '../support/agents.js';

export { startOAuthServer } from '../support/agents.js';

export interface PolicyAgent {
  id: string;
  clientId: string;
  clientSecret: string;
  /** A fresh access token from /oauth2/token (client credentials). */
  token(scope?: string): Promise<string>;
}

/** Registers an agent over HTTP (`POST /v1/agents`) that gets real tokens. */
export async function policyAgent(server: TestServer, overrides: Record<string, unknown> = {}): Promise<PolicyAgent> {
  const agent = await registerAgent(server, {
    purpose: 'calendar-management',
    owner: 'alice@example.com',
    scopes: ['calendar:read', 'calendar:write', 'files:read', 'files:delete'],
    tools: ['google-calendar-api', 'files-api:files.delete', 'files-api:files.get'],
    data_classification: 'confidential',
    ...overrides,
  });
  return {
    ...agent,
    async token(scope?: string) {
      const res = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { authorization: basic(agent.clientId, agent.clientSecret) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.access_token as string;
    },
  };
}

/** An operator with the given roles; returns its token. */
export async function operatorToken(server: TestServer, id: string, roles: string[]): Promise<string> {
  const res = await server.api('POST', '/v1/operators', { id, email: `${id}@example.com`, roles });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.token as string;
}

export const calendarRead = (owner = 'alice@example.com') => ({
  action: 'read',
  tool: 'google-calendar-api:events.list',
  resource: { type: 'calendar', id: 'primary', owner, sensitivity: 'internal' },
});

/** PUT a policy module as Rego text. */
export async function putPolicy(server: TestServer, id: string, text: string, token?: string) {
  const response = await fetch(`${server.url}/v1/policies/${id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token ?? server.adminToken}`, 'content-type': 'text/plain' },
    body: text,
  });
  const body = await response.text();
  return { status: response.status, body: body ? JSON.parse(body) : undefined };
}

export interface DecisionBody {
  decision: string;
  reasons: string[];
  approval_id?: string;
}

/** `POST /v1/authorize` with the agent's own token; the call must answer 200 (the decision is in the body). */
export async function askDecision(server: TestServer, token: string, body: Record<string, unknown>): Promise<DecisionBody> {
  const res = await server.api('POST', '/v1/authorize', body, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as DecisionBody;
}
