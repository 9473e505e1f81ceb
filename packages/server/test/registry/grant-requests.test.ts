/**
 * Issue 10 item 5, the narrower form left last session: an owner's registration or change beyond
 * its grant ceiling waits for an admin instead of being refused. Held as a grant request (202 with
 * its id and what exceeds, nothing granted), listed for admins, approved (then applied, in one
 * transaction with its entries) or denied by an admin who is not the requester; audited. Over
 * real HTTP and the CLI, on SQLite and PostgreSQL; a failure injected into the approval's
 * transaction leaves the request pending and nothing applied.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

describe.each(storeKinds())('owner grants beyond the ceiling wait for an admin on %s', (kind) => {
  let server: TestServer;
  let owner: { id: string; token: string };
  let otherAdmin: string;
  const email = `gina-grants-${kind}@example.com`;
  let counter = 0;
  let asOwner: string[];
  let asAdmin: string[];

  const body = (overrides: Record<string, unknown> = {}) => ({
    name: `grant bot ${++counter}`,
    purpose: 'books meetings',
    owner: email,
    scopes: ['calendar.read'],
    tools: ['google-calendar-api'],
    data_classification: 'internal',
    environment: 'staging',
    ...overrides,
  });
  const ownerAgents = async () => (await server.api('GET', `/v1/agents?owner=${email}&limit=100`)).body.items as Array<{ id: string; scopes: string[] }>;
  const entries = async (type: string) => (await server.runtime.store.db.selectFrom('audit_entries').select(['subject', 'details', 'actor']).where('type', '=', type).execute()).map((e) => ({ ...e, details: JSON.parse(e.details) }));

  beforeAll(async () => {
    server = await startTestServer({ kind });
    // The owner is also an admin's equal in nothing but owning: an owner-only operator, with a ceiling.
    const created = await server.api('POST', '/v1/operators', { email, roles: ['owner'] });
    owner = { id: created.body.operator.id, token: created.body.token };
    expect((await server.api('PUT', `/v1/operators/${owner.id}/grant-ceiling`, { scopes: ['calendar.read'], tools: ['google-calendar-api'], max_classification: 'internal' })).status).toBe(200);
    otherAdmin = (await server.api('POST', '/v1/operators', { email: `second-admin-${kind}@example.com`, roles: ['admin'] })).body.token;
    asOwner = ['--url', server.url, '--token', owner.token];
    asAdmin = ['--url', server.url, '--token', server.adminToken];
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('holds a registration beyond the ceiling (202, nothing registered), an admin approves it with the CLI and only then the agent exists', async () => {
    const held = await runMandate([...asOwner, 'agent', 'register', '--name', 'wide bot', '--purpose', 'reads payroll', '--owner', email, '--scope', 'calendar.read', 'payroll.read', '--tool', 'google-calendar-api', '--classification', 'restricted', '--env', 'staging']);
    expect(held.code, held.stderr).toBe(0);
    const id = /grant request (gr_\S+)/.exec(held.stdout)?.[1];
    expect(id, held.stdout).toBeDefined();
    expect(held.stdout).toContain('scopes payroll.read; data_classification restricted');
    expect(held.stdout).not.toMatch(/secret/i);
    expect(await ownerAgents()).toHaveLength(0);

    const listed = await runMandate([...asAdmin, '--json', 'grant-request', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    const item = (JSON.parse(listed.stdout) as Array<Record<string, unknown>>).find((g) => g.id === id);
    expect(item).toMatchObject({ kind: 'register', status: 'pending', requested_by: owner.id, exceeds: { scopes: ['payroll.read'], data_classification: 'restricted' } });
    expect(item!.requested).toMatchObject({ name: 'wide bot', scopes: ['calendar.read', 'payroll.read'], data_classification: 'restricted' });
    // The owner cannot list the queue, but may read its own request.
    expect((await server.api('GET', '/v1/grant-requests', undefined, { token: owner.token })).status).toBe(403);
    expect((await server.api('GET', `/v1/grant-requests/${id}`, undefined, { token: owner.token })).body.status).toBe('pending');
    expect((await entries('agent.grant_requested')).map((e) => e.subject)).toContain(id);

    const approved = await runMandate([...asAdmin, 'grant-request', 'approve', id!, '--reason', 'payroll project']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(new RegExp(`grant request ${id} approved \\(agent \\S+\\)`));
    const agents = await ownerAgents();
    expect(agents).toHaveLength(1);
    expect(agents[0]).toMatchObject({ scopes: ['calendar.read', 'payroll.read'] });
    const request = (await server.api('GET', `/v1/grant-requests/${id}`)).body;
    expect(request).toMatchObject({ status: 'approved', agent_id: agents[0]!.id, decision_reason: 'payroll project' });
    const registered = (await entries('agent.registered')).find((e) => e.subject === agents[0]!.id)!;
    expect(registered.details.grant_request).toBe(id);
    expect((await entries('agent.grant_approved')).map((e) => e.subject)).toContain(id);
    // The owner gets the secret by rotating it; the admin never saw one.
    const rotated = await server.api('POST', `/v1/agents/${agents[0]!.id}/rotate-secret`, {}, { token: owner.token });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    // Decided once: a second decision is 409.
    expect((await server.api('POST', `/v1/grant-requests/${id}/deny`, {})).status).toBe(409);
  });

  it('holds a widening PATCH (the agent unchanged), and a denial changes nothing', async () => {
    const agent = (await server.api('POST', '/v1/agents', body(), { token: owner.token })).body.agent;
    const held = await server.api('PATCH', `/v1/agents/${agent.id}`, { scopes: ['calendar.read', 'admin'] }, { token: owner.token });
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    expect(held.body.grant_request).toMatchObject({ kind: 'update', agent_id: agent.id, exceeds: { scopes: ['admin'] }, requested: { scopes: ['calendar.read', 'admin'] } });
    expect((await server.api('GET', `/v1/agents/${agent.id}`)).body.scopes).toEqual(['calendar.read']);
    const denied = await runMandate([...asAdmin, 'grant-request', 'deny', held.body.grant_request.id, '--reason', 'no admin scope for bots']);
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toContain('denied');
    expect((await server.api('GET', `/v1/agents/${agent.id}`)).body.scopes).toEqual(['calendar.read']);
    expect((await entries('agent.grant_denied')).map((e) => e.details)).toContainEqual(expect.objectContaining({ grant_request: held.body.grant_request.id, reason: 'no admin scope for bots' }));

    // Approved, the change applies at once.
    const again = await server.api('PATCH', `/v1/agents/${agent.id}`, { data_classification: 'confidential' }, { token: owner.token });
    expect(again.status).toBe(202);
    const approved = await server.api('POST', `/v1/grant-requests/${again.body.grant_request.id}/approve`, {}, { token: otherAdmin });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.agent).toMatchObject({ id: agent.id, data_classification: 'confidential' });
    const updated = (await entries('agent.updated')).find((e) => e.details.grant_request === again.body.grant_request.id);
    expect(updated?.details.after).toEqual({ data_classification: 'confidential' });
  });

  it('separation of duties: the requester may not decide its own request, whatever its roles', async () => {
    const held = await server.api('POST', '/v1/agents', body({ scopes: ['payroll.read'] }), { token: owner.token });
    expect(held.status).toBe(202);
    const id = held.body.grant_request.id as string;
    // Over HTTP an owner lacks grants:decide.
    expect((await server.api('POST', `/v1/grant-requests/${id}/approve`, {}, { token: owner.token })).status).toBe(403);
    // Operators' roles cannot change today, so the rule itself is shown on the service: the
    // requester's own operator id, or another account under its email, is refused.
    const registry = server.runtime.registry;
    const as = (operatorId: string, mail: string) => ({ operatorId, email: mail, actor: { kind: 'operator' as const, id: operatorId, roles: ['admin' as const] } });
    await expect(registry.decideGrantRequest(id, 'approve', as(owner.id, 'someone@example.com'))).rejects.toMatchObject({ status: 403, details: { code: 'own_request' } });
    await expect(registry.decideGrantRequest(id, 'deny', as('twin-admin', email.toUpperCase()))).rejects.toMatchObject({ status: 403, details: { code: 'own_request' } });
    expect((await server.api('GET', `/v1/grant-requests/${id}`)).body.status).toBe('pending');
    expect((await server.api('POST', `/v1/grant-requests/${id}/approve`, {}, { token: otherAdmin })).status).toBe(200);
  });

  it('an approval whose transaction fails leaves the request pending and nothing applied', async () => {
    const held = await server.api('POST', '/v1/agents', body({ name: 'crash bot', data_classification: 'restricted' }), { token: owner.token });
    expect(held.status).toBe(202);
    const id = held.body.grant_request.id as string;
    const before = (await ownerAgents()).length;
    const run = (text: string) => sql.raw(text).execute(server.runtime.store.db);
    // The last write of the approval (its grant_approved entry) fails: a crash before commit.
    if (kind === 'sqlite') {
      await run("CREATE TRIGGER inject_failure BEFORE INSERT ON audit_entries FOR EACH ROW WHEN NEW.type = 'agent.grant_approved' BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    } else {
      await run("CREATE FUNCTION inject_grant_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$");
      await run("CREATE TRIGGER inject_failure BEFORE INSERT ON audit_entries FOR EACH ROW WHEN (NEW.type = 'agent.grant_approved') EXECUTE FUNCTION inject_grant_failure()");
    }
    try {
      expect((await server.api('POST', `/v1/grant-requests/${id}/approve`, {})).status).toBe(500);
    } finally {
      await run(kind === 'sqlite' ? 'DROP TRIGGER inject_failure' : 'DROP TRIGGER inject_failure ON audit_entries');
    }
    expect((await ownerAgents()).length).toBe(before);
    expect((await server.api('GET', `/v1/grant-requests/${id}`)).body.status).toBe('pending');
    expect((await entries('agent.registered')).filter((e) => e.details.grant_request === id)).toHaveLength(0);
    // Retried, it applies once.
    expect((await server.api('POST', `/v1/grant-requests/${id}/approve`, {})).status).toBe(200);
    expect((await ownerAgents()).length).toBe(before + 1);
  });

  it('caps an operator\'s pending grant requests at 20 (429 naming the limit); a decision frees a place', async () => {
    const eager = await server.api('POST', '/v1/operators', { email: `eager-${kind}@example.com`, roles: ['owner'] });
    const ask = (n: number) => server.api('POST', '/v1/agents', { ...body({ name: `eager ${n}` }), owner: `eager-${kind}@example.com` }, { token: eager.body.token });
    const ids: string[] = [];
    for (let n = 0; n < 20; n += 1) {
      const held = await ask(n);
      expect(held.status, JSON.stringify(held.body)).toBe(202);
      ids.push(held.body.grant_request.id);
    }
    const over = await ask(20);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ error: 'too_many_pending', details: { limit: 20 } });
    expect((await server.api('POST', `/v1/grant-requests/${ids[0]}/deny`, {})).status).toBe(200);
    expect((await ask(21)).status).toBe(202);
  });

  it('within the ceiling, owners register and change at once as before; admins are never held', async () => {
    const within = await server.api('POST', '/v1/agents', body(), { token: owner.token });
    expect(within.status, JSON.stringify(within.body)).toBe(201);
    expect(within.body.client_secret).toEqual(expect.any(String));
    const admin = await server.api('POST', '/v1/agents', body({ scopes: ['admin'], data_classification: 'restricted' }));
    expect(admin.status).toBe(201);
    expect((await server.api('GET', '/v1/grant-requests?status=bogus')).status).toBe(400);
    const usage = await runMandate([...asAdmin, 'grant-request', 'list', '--status', 'bogus']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/pending, approved, denied/);
    expect((await server.api('POST', '/v1/grant-requests/gr_nothere/approve', {})).status).toBe(404);
  });
});
