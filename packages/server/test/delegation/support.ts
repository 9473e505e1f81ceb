/** Token exchange and ID-JAG requests for the delegation suites. */
import { decodeJwt } from 'jose';
import { basic, postForm, type RegisteredAgent } from '../support/agents.js';
import type { TestServer } from '../support/server.js';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
export const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

/** The seed's agents: A (calendar + email), B (read-only calendar), C (single event lookup), D (one level too deep). */
export const SEED_AGENTS = {
  A: { scopes: ['calendar:*', 'calendar-events:*', 'email:*'], tools: ['google-calendar-api', 'gmail-api'] },
  B: { scopes: ['calendar:read', 'calendar-events:read'], tools: ['google-calendar-api'] },
  // C may register both reads; the reduction rule is what keeps its token to one.
  C: { scopes: ['calendar:read', 'calendar-events:read'], tools: ['google-calendar-api'] },
  D: { scopes: ['calendar-events:read'], tools: ['google-calendar-api'] },
} as const;

export function exchange(
  server: TestServer,
  agent: RegisteredAgent,
  subjectToken: string,
  extra: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  return postForm(
    server,
    '/oauth2/token',
    { grant_type: TOKEN_EXCHANGE, subject_token: subjectToken, subject_token_type: ACCESS_TOKEN, ...extra },
    { authorization: basic(agent.clientId, agent.clientSecret) },
  );
}

export function redeem(server: TestServer, agent: RegisteredAgent, assertion: string, extra: Record<string, string> = {}) {
  return postForm(server, '/oauth2/token', { grant_type: JWT_BEARER, assertion, ...extra }, { authorization: basic(agent.clientId, agent.clientSecret) });
}

export const claimsOf = (token: string) => decodeJwt(token) as Record<string, any>;

export async function introspect(server: TestServer, token: string): Promise<Record<string, any>> {
  const response = await postForm(server, '/oauth2/introspect', { token }, { authorization: `Bearer ${server.adminToken}` });
  return response.body;
}
