import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StatusChange } from '../../src/registry/types.js';
import { ManualClock } from '../../src/shared/clock.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { basic, postForm, registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';

/**
 * An agent's revocation mark, its feed event and their audit entry commit in the same
 * transaction as the status change (registry onStatusChangeInTransaction): never a committed
 * suspension that the feed — all an SDK verifier reads — does not carry.
 */
describe.each(storeKinds())('revocation is transactional with the status change on %s', (kind) => {
  let server: TestServer;
  // Whole seconds, so "the same second" is exact; only the mark test moves it.
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);

  const tokenFor = async (who: RegisteredAgent): Promise<string> => {
    const response = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(who.clientId, who.clientSecret) });
    expect(response.status).toBe(200);
    return response.body.access_token as string;
  };
  const feed = (after: string) =>
    fetch(`${server.url}/oauth2/revocations?after=${after}&wait=0&limit=1000`, { headers: { authorization: `Bearer ${server.adminToken}` } }).then(
      async (r) => (await r.json()) as { events: Array<Record<string, unknown>>; cursor: string },
    );
  const auditTypes = async (agentId: string) =>
    (await server.runtime.store.db.selectFrom('audit_entries').select(['type', 'details'])
        .where('agent_id', '=', agentId)
        .where((eb) => eb.or([eb('type', 'like', 'agent.%'), eb('type', 'like', 'oauth.agent.%')]))
        .orderBy('seq').execute()).map((r) => ({
      type: r.type,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
  });
  afterAll(async () => server?.stop());

  it('rolls the suspension back when its revocation cannot be written: status, audit and feed unchanged', async () => {
    const victim = await registerAgent(server);
    const token = await tokenFor(victim);
    const { cursor } = await feed('0');
    const failing = vi.spyOn(server.runtime.oauth.revocations, 'revokeAgentIn').mockRejectedValueOnce(new Error('feed table unavailable'));
    try {
      expect((await server.api('POST', `/v1/agents/${victim.id}/suspend`, { reason: 'incident' })).status).toBe(500);
      expect(failing).toHaveBeenCalledTimes(1);
    } finally {
      failing.mockRestore();
    }
    expect((await server.api('GET', `/v1/agents/${victim.id}`)).body.status).toBe('active');
    expect((await auditTypes(victim.id)).map((e) => e.type)).toEqual(['agent.registered']);
    expect((await feed(cursor)).events).toEqual([]);
    // The agent still works: nothing half-happened.
    expect((await server.api('GET', `/v1/agents/${victim.id}`, undefined, { token })).status).toBe(200);

    // Retried, the suspension and everything it implies land together.
    const retried = await server.api('POST', `/v1/agents/${victim.id}/suspend`, { reason: 'incident' });
    expect(retried.status).toBe(200);
    expect((await feed(cursor)).events).toEqual([{ kind: 'agent', agent_id: victim.id, client_id: victim.clientId, not_before: epoch(retried.body.status_changed_at) + 1 }]);
  });

  it('has the feed event as soon as the suspension is answered, even when nothing runs after commit', async () => {
    const victim = await registerAgent(server);
    const { cursor } = await feed('0');
    // As if the process died right after the commit: the after-commit listeners never run.
    const registry = server.runtime.registry as unknown as { notify: (change: StatusChange) => Promise<void> };
    const afterCommit = vi.spyOn(registry, 'notify').mockResolvedValue(undefined);
    let res;
    try {
      res = await server.api('POST', `/v1/agents/${victim.id}/suspend`, { reason: 'incident' });
      expect(afterCommit).toHaveBeenCalledTimes(1);
    } finally {
      afterCommit.mockRestore();
    }
    expect(res.status).toBe(200);
    const notBefore = epoch(res.body.status_changed_at) + 1;
    expect((await feed(cursor)).events).toEqual([{ kind: 'agent', agent_id: victim.id, client_id: victim.clientId, not_before: notBefore }]);
    const entries = await auditTypes(victim.id);
    expect(entries.map((e) => e.type)).toEqual(['agent.registered', 'agent.suspended', 'oauth.agent.tokens_revoked']);
    expect(entries[2]!.details).toEqual({ not_before: notBefore, reason: 'agent suspend' });
  });

  it('keeps the mark semantics: change time + 1 s, and a second step out of active in the same second is mark_unchanged', async () => {
    const steps = async (advanceMs: number) => {
      const victim = await registerAgent(server);
      const { cursor } = await feed('0');
      const suspended = await server.api('POST', `/v1/agents/${victim.id}/suspend`);
      clock.advance(advanceMs);
      const deprecated = await server.api('POST', `/v1/agents/${victim.id}/deprecate`);
      expect([suspended.status, deprecated.status]).toEqual([200, 200]);
      const revoked = (await auditTypes(victim.id)).filter((e) => e.type === 'oauth.agent.tokens_revoked').map((e) => e.details);
      const events = (await feed(cursor)).events.filter((e) => e.agent_id === victim.id).map((e) => e.not_before);
      return { first: epoch(suspended.body.status_changed_at) + 1, second: epoch(deprecated.body.status_changed_at) + 1, revoked, events };
    };
    const same = await steps(0);
    expect(same.second).toBe(same.first);
    expect(same.revoked).toEqual([
      { not_before: same.first, reason: 'agent suspend' },
      { not_before: same.first, reason: 'agent deprecate', mark_unchanged: true },
    ]);
    expect(same.events).toEqual([same.first]);

    const later = await steps(2_000);
    expect(later.second).toBe(later.first + 2);
    expect(later.revoked).toEqual([
      { not_before: later.first, reason: 'agent suspend' },
      { not_before: later.second, reason: 'agent deprecate' },
    ]);
    expect(later.events).toEqual([later.first, later.second]);
  });

  it('runs concurrent suspensions and token revocations without deadlock, each with its feed event', async () => {
    const agents = await Promise.all(Array.from({ length: 6 }, () => registerAgent(server)));
    const tokens = await Promise.all(agents.map((a) => tokenFor(a)));
    const { cursor } = await feed('0');
    // Interleaved: each suspension (agent row → feed head → audit head) races token revocations
    // (feed head → audit head) of the same and of other agents.
    const results = await Promise.all(
      agents.flatMap((a, i) => [
        server.api('POST', `/v1/agents/${a.id}/suspend`).then((r) => r.status),
        postForm(server, '/oauth2/revoke', { token: tokens[(i + 1) % tokens.length]! }, { authorization: `Bearer ${server.adminToken}` }).then((r) => r.status),
        postForm(server, '/oauth2/revoke', { token: tokens[i]! }, { authorization: `Bearer ${server.adminToken}` }).then((r) => r.status),
      ]),
    );
    expect(results).toEqual(Array(agents.length * 3).fill(200));
    const events = (await feed(cursor)).events;
    expect(events.filter((e) => e.kind === 'agent').map((e) => e.agent_id).sort()).toEqual(agents.map((a) => a.id).sort());
    expect(events.filter((e) => e.kind === 'token')).toHaveLength(agents.length);
    for (const a of agents) expect((await server.api('GET', `/v1/agents/${a.id}`)).body.status).toBe('suspended');
  });
});
