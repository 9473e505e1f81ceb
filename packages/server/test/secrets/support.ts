import { basic, postForm, registerAgent, type RegisteredAgent } from '../support/agents.js';
import type { TestServer } from '../support/server.js';

/** An agent allowed by the default policy to read secrets and database credentials (tools `secrets`, `db`). */
export const SECRETS_AGENT = {
  name: 'secrets-agent',
  purpose: 'reads what it needs',
  owner: 'alice@example.com',
  scopes: ['secret:read', 'database:read'],
  tools: ['secrets', 'db'],
  data_classification: 'restricted',
  environment: 'production',
};

/** Registers an agent (SECRETS_AGENT with overrides) and gets it an access token by client credentials. */
export async function agentWithToken(server: TestServer, overrides: Record<string, unknown> = {}): Promise<RegisteredAgent & { token: string }> {
  const agent = await registerAgent(server, overrides, SECRETS_AGENT);
  const scopes = (overrides.scopes as string[] | undefined) ?? SECRETS_AGENT.scopes;
  const { status, body } = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', scope: scopes.join(' ') }, { authorization: basic(agent.clientId, agent.clientSecret) });
  if (status !== 200) throw new Error(`token request failed: ${status} ${JSON.stringify(body)}`);
  return { ...agent, token: body.access_token as string };
}

/** Audit entries of some types, oldest first (details parsed). */
export async function auditOf(server: TestServer, types: string[]): Promise<Array<{ type: string; subject: string | null; agent_id: string | null; details: Record<string, unknown> }>> {
  const rows = await server.runtime.store.db.selectFrom('audit_entries').select(['type', 'subject', 'agent_id', 'details']).where('type', 'in', types).orderBy('seq').execute();
  return rows.map((row: { type: string; subject: string | null; agent_id: string | null; details: string }) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}
