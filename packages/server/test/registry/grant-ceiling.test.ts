import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/**
 * Issue 10 item 5b: an operator with role `owner` registered an agent with scope `admin` and
 * classification `restricted`. Admins set a grant ceiling per owner (scopes, tools, highest
 * classification); registration or PATCH by an owner beyond it grants nothing: it is held for an
 * admin (202 naming what exceeds; the approval flow is grant-requests.test.ts); without a ceiling
 * an owner grants nothing; admins are not limited.
 */
describe.each(storeKinds())('grant ceilings of owners on %s', (kind) => {
  let server: TestServer;
  let ownerToken: string;
  let ownerId: string;
  const email = `olga-ceiling-${kind}@example.com`;
  let counter = 0;

  const body = (overrides: Record<string, unknown> = {}) => ({
    name: `ceiling bot ${++counter}`,
    purpose: 'books meetings',
    owner: email,
    scopes: ['calendar.read'],
    tools: ['google-calendar-api:events.list'],
    data_classification: 'internal',
    environment: 'staging',
    ...overrides,
  });
  const register = (overrides: Record<string, unknown> = {}, token?: string) => server.api('POST', '/v1/agents', body(overrides), token ? { token } : {});

  beforeAll(async () => {
    server = await startTestServer({ kind });
    const created = await server.api('POST', '/v1/operators', { email, roles: ['owner'] });
    expect(created.status).toBe(201);
    ownerToken = created.body.token;
    ownerId = created.body.operator.id;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('an owner without a ceiling may grant nothing (no scopes, no tools, public) until an admin sets one', async () => {
    expect((await server.api('GET', `/v1/operators/${ownerId}`)).body.grant_ceiling).toBeNull();
    const res = await register({}, ownerToken);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.message).toMatch(/^held for an admin: beyond this owner's grant ceiling \(grant_ceiling\) \(no grant ceiling is set for this owner: it may grant nothing/);
    expect(res.body.grant_request).toMatchObject({ status: 'pending', agent_id: null, exceeds: { scopes: ['calendar.read'], tools: ['google-calendar-api:events.list'], data_classification: 'internal' } });
    expect((await server.api('GET', `/v1/agents?owner=${email}`)).body.items).toHaveLength(0);
    // Granting nothing is within the empty ceiling.
    expect((await register({ scopes: [], tools: [], data_classification: 'public' }, ownerToken)).status).toBe(201);
  });

  it('an admin sets the ceiling with `mandate operator ceiling`; an owner may not set its own', async () => {
    const mine = await server.api('PUT', `/v1/operators/${ownerId}/grant-ceiling`, { scopes: ['admin'], tools: ['shell'], max_classification: 'restricted' }, { token: ownerToken });
    expect(mine.status).toBe(403);
    const global = ['--url', server.url, '--token', server.adminToken];
    const set = await runMandate([...global, '--json', 'operator', 'ceiling', ownerId, '--scope', 'calendar.read', 'calendar.write', '--tool', 'google-calendar-api', '--max-classification', 'confidential']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout).grant_ceiling).toEqual({ scopes: ['calendar.read', 'calendar.write'], tools: ['google-calendar-api'], max_classification: 'confidential' });
    const bad = await runMandate([...global, 'operator', 'ceiling', ownerId, '--max-classification', 'secret']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/public, internal, confidential, restricted/);
    const audit = await server.runtime.store.db.selectFrom('audit_entries').select(['type', 'details']).where('subject', '=', ownerId).where('type', '=', 'operator.grant_ceiling_set').execute();
    expect(audit).toHaveLength(1);
  });

  it("holds the attack review's registration (scope admin, restricted) and names what exceeds; within it registers", async () => {
    const attack = await register({ scopes: ['calendar.read', 'admin'], tools: ['google-calendar-api:events.list', 'shell:exec'], data_classification: 'restricted' }, ownerToken);
    expect(attack.status, JSON.stringify(attack.body)).toBe(202);
    expect(attack.body.message).toMatch(/beyond this owner's grant ceiling \(grant_ceiling\): scopes admin .*; tools shell:exec .*; data_classification restricted \(max: confidential\)/);
    expect(attack.body.grant_request.exceeds).toEqual({ scopes: ['admin'], tools: ['shell:exec'], data_classification: 'restricted' });
    expect(attack.body).not.toHaveProperty('client_secret');

    const within = await register({ scopes: ['calendar.read', 'calendar.write'], tools: ['google-calendar-api:events.list', 'google-calendar-api'], data_classification: 'confidential' }, ownerToken);
    expect(within.status, JSON.stringify(within.body)).toBe(201);
  });

  it('holds a PATCH by the owner that widens beyond the ceiling, changing nothing; other changes pass', async () => {
    const agent = (await register({}, ownerToken)).body.agent;
    const path = `/v1/agents/${agent.id}`;
    const wider = await server.api('PATCH', path, { scopes: ['calendar.read', 'admin'] }, { token: ownerToken });
    expect(wider.status).toBe(202);
    expect(wider.body.grant_request).toMatchObject({ kind: 'update', agent_id: agent.id, exceeds: { scopes: ['admin'] } });
    const higher = await server.api('PATCH', path, { data_classification: 'restricted' }, { token: ownerToken });
    expect(higher.status).toBe(202);
    expect(higher.body.message).toMatch(/data_classification restricted \(max: confidential\)/);
    expect((await server.api('GET', path)).body).toMatchObject({ scopes: ['calendar.read'], data_classification: 'internal' });
    expect((await server.api('PATCH', path, { purpose: 'still books meetings', scopes: ['calendar.write'] }, { token: ownerToken })).status).toBe(200);
  });

  it('does not limit admins', async () => {
    const res = await register({ scopes: ['admin'], tools: ['shell:exec'], data_classification: 'restricted' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await server.api('PATCH', `/v1/agents/${res.body.agent.id}`, { scopes: ['admin', 'calendar.read'] })).status).toBe(200);
  });

  it('an admin can remove the ceiling (`--clear`): the owner grants nothing again', async () => {
    const cleared = await runMandate(['--url', server.url, '--token', server.adminToken, 'operator', 'ceiling', ownerId, '--clear']);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect((await server.api('GET', `/v1/operators/${ownerId}`)).body.grant_ceiling).toBeNull();
    expect((await register({}, ownerToken)).status).toBe(202);
  });
});
