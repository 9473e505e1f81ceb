import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { AgentPrincipal } from '../../src/identity/index.js';
import type { TestServer } from '../support/server.js';
import { basic, postForm, registerAgent } from '../support/agents.js';

export { startOAuthServer } from '../support/agents.js';

/** A registered agent that gets real access tokens from `/oauth2/token` (client credentials). */
export interface RealAgent {
  id: string;
  clientId: string;
  /** A fresh access token (call again after moving the clock past a token's lifetime). */
  token(): Promise<string>;
}

export async function realAgent(server: TestServer, name: string): Promise<RealAgent> {
  const agent = await registerAgent(server, { name, purpose: 'files reports', scopes: ['files.read'], tools: ['files'] });
  return {
    id: agent.id,
    clientId: agent.clientId,
    async token() {
      const res = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.access_token as string;
    },
  };
}

/**
 * Delegated agent callers, until token exchange (RFC 8693) issues real delegated tokens: a
 * test credential resolver maps opaque `tagt_…` tokens to agent principals carrying the claims
 * a delegated access token will carry (`sub` of the user, nested `act`). Plain agent calls use
 * real tokens (`realAgent`).
 */
export class TestAgents {
  private readonly principals = new Map<string, AgentPrincipal>();

  constructor(server: TestServer) {
    server.runtime.authenticator.register({
      recognises: (credential) => credential.startsWith('tagt_'),
      resolve: async (credential) => this.principals.get(credential) ?? null,
    });
  }

  /** A token for `agentId`; `claims` may add `act` and `sub` for a delegated token. */
  token(agentId: string, claims: Record<string, unknown> = {}): string {
    const token = `tagt_${randomBytes(12).toString('hex')}`;
    const clientId = `mcl_${agentId}`;
    this.principals.set(token, { kind: 'agent', agentId, clientId, claims: { sub: agentId, client_id: clientId, ...claims }, token });
    return token;
  }
}

export interface Operators {
  approver: string;
  approver2: string;
  auditor: string;
  owner: string;
}

export async function createOperators(server: TestServer, tag: string): Promise<Operators> {
  const make = async (name: string, roles: string[]) => {
    const res = await server.api('POST', '/v1/operators', { id: `op-${name}-${tag}`, email: `${name}-${tag}@example.com`, roles });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.token as string;
  };
  return {
    approver: await make('ann', ['approver']),
    approver2: await make('ben', ['approver']),
    auditor: await make('aud', ['auditor']),
    owner: await make('own', ['owner']),
  };
}

/** The audit entries about one approval, in order (read through the audit face: compact decision entries are rebuilt). */
export async function auditOf(server: TestServer, approvalId: string) {
  await server.runtime.audit.flush();
  const { entries } = await server.runtime.auditReader.page({ subject: approvalId }, 1000);
  return entries.map((e) => ({ type: e.type, outcome: e.outcome, actor: e.actor as { kind: string; id: string }, details: e.details as Record<string, any> }));
}

export const fileResource = (id = 'reports/q3.pdf') => ({ type: 'file', id, owner: 'alice@example.com', sensitivity: 'confidential' });
