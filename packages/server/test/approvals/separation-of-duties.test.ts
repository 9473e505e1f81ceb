import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { operatorToken, policyAgent, startOAuthServer } from '../policy/support.js';

/**
 * Issue 10 item 5a: an operator with roles owner and approver approved a delete requested by
 * their own agent. Separation of duties (`approvals.separationOfDuties`, on by default): an
 * approver may not decide the requests of agents they own.
 */
describe.each(storeKinds())('separation of duties on %s', (kind) => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  /** A server, an owner+approver operator, an agent they own that asks for a delete, and another approver. */
  const setUp = async (config: Record<string, unknown> = {}) => {
    const server = await startOAuthServer(kind, { config });
    servers.push(server);
    const tag = `${kind}-${servers.length}`;
    const olga = await operatorToken(server, `olga-${tag}`, ['owner', 'approver']);
    const ann = await operatorToken(server, `ann-${tag}`, ['approver']);
    const agent = await policyAgent(server, { name: `olga's bot ${tag}`, owner: `olga-${tag}@example.com` });
    const token = await agent.token();
    const asked = await server.api(
      'POST',
      '/v1/authorize',
      { action: 'delete', tool: 'files-api:files.delete', resource: { type: 'files', id: 'q3.pdf', owner: `olga-${tag}@example.com`, sensitivity: 'internal' } },
      { token },
    );
    expect(asked.body.decision, JSON.stringify(asked.body)).toBe('approval_required');
    return { server, olga, ann, id: asked.body.approval_id as string };
  };

  it('refuses the agent owner (roles owner + approver) with 403 naming the rule; another approver decides', async () => {
    const { server, olga, ann, id } = await setUp();
    for (const verb of ['approve', 'deny']) {
      const own = await server.api('POST', `/v1/approvals/${id}/${verb}`, {}, { token: olga });
      expect(own.status, JSON.stringify(own.body)).toBe(403);
      expect(JSON.stringify(own.body)).toContain('approvals.separationOfDuties');
      expect(JSON.stringify(own.body)).toContain('owns_agent');
    }
    expect((await server.api('GET', `/v1/approvals/${id}`)).body.status).toBe('pending');
    const refused = await server.runtime.store.db.selectFrom('audit_entries').select(['details']).where('subject', '=', id).where('type', '=', 'approval.decide_refused').execute();
    expect(refused.map((r) => JSON.parse(r.details).code)).toEqual(['owns_agent', 'owns_agent']);

    const other = await server.api('POST', `/v1/approvals/${id}/approve`, {}, { token: ann });
    expect(other.status, JSON.stringify(other.body)).toBe(200);
    expect(other.body.status).toBe('approved');
  });

  it('can be turned off (approvals.separationOfDuties: false)', async () => {
    const { server, olga, id } = await setUp({ approvals: { separationOfDuties: false } });
    const own = await server.api('POST', `/v1/approvals/${id}/approve`, {}, { token: olga });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
  });
});
