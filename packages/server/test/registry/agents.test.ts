import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import type { StatusChange } from '../../src/registry/types.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

const DAY = 86_400_000;

function publicJwk(kid: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { pub: { ...(publicKey.export({ format: 'jwk' }) as object), kid, alg: 'EdDSA', use: 'sig' }, priv: { ...(privateKey.export({ format: 'jwk' }) as object), kid } };
}

describe.each(storeKinds())('agent registry over HTTP on %s', (kind) => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  let counter = 0;
  const changes: StatusChange[] = [];

  /** A fresh, valid registration body; names differ so generated ids never collide across tests. */
  const body = (overrides: Record<string, unknown> = {}) => ({
    name: `bot ${++counter}`,
    purpose: 'books meetings',
    owner: 'alice@example.com',
    scopes: ['calendar.read'],
    tools: ['google-calendar-api:events.list'],
    data_classification: 'internal',
    environment: 'staging',
    ...overrides,
  });

  const register = async (overrides: Record<string, unknown> = {}, token?: string) => {
    const res = await server.api('POST', '/v1/agents', body(overrides), token ? { token } : {});
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { agent: any; client_id: string; client_secret: string };
  };

  const auditFor = (agentId: string) =>
    server.runtime.store.db.selectFrom('audit_entries').select(['type', 'action', 'details', 'actor']).where('agent_id', '=', agentId).where('type', 'like', 'agent.%').orderBy('seq').execute();
  // The registry's own entries: the scheduler's jobs (key rotation once the test clock has moved
  // days ahead) may append theirs at any moment, and are not what "writes nothing" is about.
  const auditCount = async () =>
    Number((await server.runtime.store.db.selectFrom('audit_entries').select((eb) => eb.fn.countAll().as('n')).where('type', 'like', 'agent.%').executeTakeFirstOrThrow()).n);
  const agentCount = async () => Number((await server.runtime.store.db.selectFrom('agents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    server = await startTestServer({ kind, clock });
    server.runtime.registry.onStatusChange((change) => {
      changes.push(change);
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('registers an agent with every field, round-trips them, and shows the secret only once', async () => {
    const key = publicJwk('k1');
    const created = await register({
      id: `agent-cal-${kind}-full`,
      name: 'Calendar assistant',
      purpose: 'Schedules meetings for the sales team',
      owner: 'Alice@Example.com',
      scopes: ['calendar.read', 'calendar.write', 'calendar.read'],
      tools: ['google-calendar-api:events.insert', 'google-calendar-api:events.list'],
      data_classification: 'confidential',
      environment: 'production',
      token_ttl_seconds: 300,
      jwks: { keys: [key.pub] },
      tls_client_auth_subject_dn: 'CN=cal,O=Example',
      metadata: { team: 'sales', 'cost-center': '42' },
    });
    expect(created.client_id).toBe(`agent-cal-${kind}-full`);
    expect(created.client_secret).toMatch(/^mcs_[A-Za-z0-9_-]{43}$/);
    const expected = {
      id: `agent-cal-${kind}-full`,
      client_id: `agent-cal-${kind}-full`,
      name: 'Calendar assistant',
      purpose: 'Schedules meetings for the sales team',
      owner: 'alice@example.com',
      scopes: ['calendar.read', 'calendar.write'],
      tools: ['google-calendar-api:events.insert', 'google-calendar-api:events.list'],
      data_classification: 'confidential',
      environment: 'production',
      status: 'active',
      token_ttl_seconds: 300,
      jwks: { keys: [key.pub] },
      tls_client_auth_subject_dn: 'CN=cal,O=Example',
      metadata: { team: 'sales', 'cost-center': '42' },
      created_at: new Date(clock.now()).toISOString(),
      created_by: 'operator:admin',
      status_reason: null,
      last_review: null,
      review_due_at: new Date(clock.now() + 90 * DAY).toISOString(),
      review_overdue: false,
      client_secret_issued_at: new Date(clock.now()).toISOString(),
      previous_secret_expires_at: null,
    };
    expect(created.agent).toMatchObject(expected);
    const read = await server.api('GET', `/v1/agents/${created.client_id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.agent);
    expect(JSON.stringify(read.body)).not.toContain(created.client_secret);
    expect(read.headers.get('cache-control')).toBeNull();

    // At rest: a hash, never the secret.
    const row = await server.runtime.store.db.selectFrom('agents').selectAll().where('id', '=', created.client_id).executeTakeFirstOrThrow();
    expect(row.client_secret_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Object.values(row).some((value) => typeof value === 'string' && value.includes(created.client_secret.slice(4)))).toBe(false);
    // The audit entry does not carry it either.
    const entries = await auditFor(created.client_id);
    expect(entries.map((e) => e.type)).toEqual(['agent.registered']);
    expect(entries[0]!.details).not.toContain(created.client_secret.slice(4));
    expect(JSON.parse(entries[0]!.details)).toMatchObject({ owner: 'alice@example.com', jwks: { kids: ['k1'] }, client_id: created.client_id });

    const viaService = await server.runtime.registry.authenticateClientSecret(created.client_id, created.client_secret);
    expect(viaService?.id).toBe(created.client_id);
    expect(await server.runtime.registry.authenticateClientSecret(created.client_id, `${created.client_secret}x`)).toBeNull();
    expect(await server.runtime.registry.authenticateClientSecret('agent-nobody', created.client_secret)).toBeNull();
    expect((await server.runtime.registry.getByClientId(created.client_id))?.jwks).toEqual({ keys: [key.pub] });
  });

  it('generates readable ids from name and environment, made unique with a counter', async () => {
    const first = await register({ name: `Cal ${kind}`, environment: 'production' });
    const second = await register({ name: `Cal ${kind}`, environment: 'production' });
    const dev = await register({ name: `Cal ${kind}`, environment: 'development' });
    expect(first.agent.id).toBe(`agent-cal-${kind}-prod-001`);
    expect(second.agent.id).toBe(`agent-cal-${kind}-prod-002`);
    expect(dev.agent.id).toBe(`agent-cal-${kind}-dev-001`);
    const duplicate = await server.api('POST', '/v1/agents', body({ id: first.agent.id }));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ error: 'conflict', message: `an agent with id '${first.agent.id}' already exists` });
    expect((await auditFor(first.agent.id)).length).toBe(1);
  });

  it('walks the lifecycle, refuses illegal transitions naming the allowed ones, and audits each change once', async () => {
    const { agent, client_secret } = await register();
    const id = agent.id as string;
    const step = async (action: string, reason?: string) => server.api('POST', `/v1/agents/${id}/${action}`, reason ? { reason } : undefined);

    const suspended = await step('suspend', 'investigating odd traffic');
    expect(suspended.body).toMatchObject({ status: 'suspended', status_reason: 'investigating odd traffic', status_changed_by: 'operator:admin' });
    expect(changes.at(-1)).toMatchObject({ agentId: id, from: 'active', to: 'suspended', action: 'suspend', reason: 'investigating odd traffic' });
    expect((await step('resume')).body.status).toBe('active');

    const illegal = await step('resume');
    expect(illegal.status).toBe(409);
    expect(illegal.body).toMatchObject({ error: 'illegal_transition', details: { from: 'active', to: 'active', allowed: ['suspended', 'deprecated'] } });
    expect(illegal.body.message).toContain("allowed from 'active': suspended, deprecated");
    const skip = await step('decommission');
    expect(skip.status).toBe(409);

    expect((await step('deprecate', 'replaced by v2')).body.status).toBe('deprecated');
    expect((await step('suspend')).status).toBe(409);
    expect((await server.runtime.registry.authenticateClientSecret(id, client_secret))?.status).toBe('deprecated');

    const decommissioned = await step('decommission', 'retired');
    expect(decommissioned.body).toMatchObject({ status: 'decommissioned', client_secret_issued_at: null, review_overdue: false });
    expect(changes.at(-1)).toMatchObject({ agentId: id, from: 'deprecated', to: 'decommissioned' });
    // Decommissioning revokes the client secret; the record stays.
    expect(await server.runtime.registry.authenticateClientSecret(id, client_secret)).toBeNull();
    const row = await server.runtime.store.db.selectFrom('agents').select(['client_secret_hash', 'previous_secret_hash']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ client_secret_hash: null, previous_secret_hash: null });
    expect((await server.api('GET', `/v1/agents/${id}`)).body.status).toBe('decommissioned');

    const terminal = await step('resume');
    expect(terminal.status).toBe(409);
    expect(terminal.body.message).toContain('none (terminal state)');
    expect((await server.api('PATCH', `/v1/agents/${id}`, { purpose: 'again' })).status).toBe(409);
    expect((await server.api('POST', `/v1/agents/${id}/review`, {})).status).toBe(409);
    expect((await server.api('POST', `/v1/agents/${id}/rotate-secret`)).status).toBe(409);

    const entries = await auditFor(id);
    expect(entries.map((e) => e.type)).toEqual(['agent.registered', 'agent.suspended', 'agent.resumed', 'agent.deprecated', 'agent.decommissioned']);
    expect(JSON.parse(entries[1]!.details)).toEqual({ from: 'active', to: 'suspended', reason: 'investigating odd traffic' });
    expect(JSON.parse(entries[1]!.actor)).toMatchObject({ kind: 'operator', id: 'admin' });
  });

  it('flags agents overdue for review and clears the flag when reviewed', async () => {
    const old = await register({ environment: 'review-test' });
    clock.advance(60 * DAY);
    const recent = await register({ environment: 'review-test' });
    clock.advance(31 * DAY); // old: 91 days, recent: 31 days
    const oldView = (await server.api('GET', `/v1/agents/${old.agent.id}`)).body;
    expect(oldView.review_overdue).toBe(true);
    expect((await server.api('GET', `/v1/agents/${recent.agent.id}`)).body.review_overdue).toBe(false);
    const overdue = await server.api('GET', '/v1/agents?environment=review-test&review_overdue=true');
    expect(overdue.body.items.map((a: { id: string }) => a.id)).toEqual([old.agent.id]);
    const notOverdue = await server.api('GET', '/v1/agents?environment=review-test&review_overdue=false');
    expect(notOverdue.body.items.map((a: { id: string }) => a.id)).toEqual([recent.agent.id]);

    const reviewed = await server.api('POST', `/v1/agents/${old.agent.id}/review`, { notes: 'scopes still needed' });
    expect(reviewed.status).toBe(200);
    expect(reviewed.body).toMatchObject({
      review_overdue: false,
      last_review: { at: new Date(clock.now()).toISOString(), by: 'operator:admin', notes: 'scopes still needed' },
      review_due_at: new Date(clock.now() + 90 * DAY).toISOString(),
    });
    expect((await server.api('GET', '/v1/agents?environment=review-test&review_overdue=true')).body.items).toEqual([]);
    clock.advance(90 * DAY + 1);
    expect((await server.api('GET', '/v1/agents?environment=review-test&review_overdue=true')).body.items.length).toBe(2);
    const types = (await auditFor(old.agent.id)).map((e) => e.type);
    expect(types).toEqual(['agent.registered', 'agent.reviewed']);
  });

  it('rotates the client secret and honours the old one only during the overlap', async () => {
    const { agent, client_secret: first } = await register();
    const rotated = await server.api('POST', `/v1/agents/${agent.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    const second: string = rotated.body.client_secret;
    expect(second).not.toBe(first);
    const overlapEnd = new Date(clock.now() + 3600_000).toISOString();
    expect(rotated.body.previous_secret_expires_at).toBe(overlapEnd);
    expect(rotated.body.agent.previous_secret_expires_at).toBe(overlapEnd);

    const auth = (secret: string, at = clock.now()) => server.runtime.registry.authenticateClientSecret(agent.id, secret, at);
    expect((await auth(first))?.id).toBe(agent.id);
    expect((await auth(second))?.id).toBe(agent.id);
    clock.advance(3600_000 - 1);
    expect((await auth(first))?.id).toBe(agent.id);
    clock.advance(1);
    expect(await auth(first)).toBeNull();
    expect((await auth(second))?.id).toBe(agent.id);
    expect((await server.api('GET', `/v1/agents/${agent.id}`)).body.previous_secret_expires_at).toBeNull();

    // A second rotation replaces the previous slot: the first secret never comes back.
    const third = (await server.api('POST', `/v1/agents/${agent.id}/rotate-secret`)).body.client_secret as string;
    expect(await auth(first)).toBeNull();
    expect((await auth(second))?.id).toBe(agent.id);
    expect((await auth(third))?.id).toBe(agent.id);
    const row = await server.runtime.store.db.selectFrom('agents').selectAll().where('id', '=', agent.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(third.slice(4));
    expect(JSON.stringify(row)).not.toContain(second.slice(4));
    expect((await auditFor(agent.id)).map((e) => e.type)).toEqual(['agent.registered', 'agent.secret_rotated', 'agent.secret_rotated']);
  });

  it('changes mutable fields with PATCH, one audit entry per real change, and refuses fixed fields by name', async () => {
    const { agent } = await register();
    const patched = await server.api('PATCH', `/v1/agents/${agent.id}`, {
      scopes: ['calendar.read', 'mail.send'],
      data_classification: 'restricted',
      token_ttl_seconds: 900,
      metadata: { team: 'ops' },
      name: 'Renamed',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: agent.id, name: 'Renamed', scopes: ['calendar.read', 'mail.send'], data_classification: 'restricted', token_ttl_seconds: 900, metadata: { team: 'ops' } });
    expect((await server.api('GET', `/v1/agents/${agent.id}`)).body).toEqual(patched.body);
    const cleared = await server.api('PATCH', `/v1/agents/${agent.id}`, { token_ttl_seconds: null, metadata: null });
    expect(cleared.body).toMatchObject({ token_ttl_seconds: null, metadata: {} });
    // Same values again: nothing changes, nothing is audited.
    expect((await server.api('PATCH', `/v1/agents/${agent.id}`, { name: 'Renamed' })).status).toBe(200);

    const entries = await auditFor(agent.id);
    expect(entries.map((e) => e.type)).toEqual(['agent.registered', 'agent.updated', 'agent.updated']);
    expect(JSON.parse(entries[1]!.details)).toMatchObject({
      changed: ['name', 'scopes', 'data_classification', 'token_ttl_seconds', 'metadata'],
      before: { scopes: ['calendar.read'], data_classification: 'internal' },
      after: { scopes: ['calendar.read', 'mail.send'], data_classification: 'restricted' },
    });

    for (const [field, value, message] of [
      ['status', 'suspended', /body\.status changes only through POST/],
      ['id', 'other', /body\.id is fixed at registration/],
      ['client_id', 'other', /body\.client_id is fixed at registration/],
      ['client_secret', 'x', /body\.client_secret cannot be set; use POST .*rotate-secret/],
    ] as const) {
      const refused = await server.api('PATCH', `/v1/agents/${agent.id}`, { [field]: value });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toMatch(message);
      expect(refused.body.details).toMatchObject({ field: `body.${field}` });
    }
  });

  it('answers bad input with clear errors and writes nothing', async () => {
    const { agent } = await register();
    const agentsBefore = await agentCount();
    const auditBefore = await auditCount();
    const { priv } = publicJwk('bad');
    const cases: Array<[unknown, number, RegExp]> = [
      [{ ...body(), surprise: 1 }, 400, /^body\.surprise is not a known field$/],
      [{ ...body(), scopes: 'calendar.read' }, 400, /^body\.scopes must be array$/],
      [{ ...body(), scopes: ['has space'] }, 400, /^body\.scopes\.0 must match pattern/],
      [{ ...body(), data_classification: 'secret' }, 400, /body\.data_classification/],
      [{ ...body(), environment: 'Prod Env' }, 400, /^body\.environment must match pattern/],
      [{ ...body(), owner: 'not-an-email' }, 400, /^body\.owner must match pattern/],
      [{ ...body(), name: 'x'.repeat(201) }, 400, /^body\.name must NOT have more than 200 characters$/],
      [{ ...body(), name: '   ' }, 400, /^name must not be empty$/],
      [{ ...body(), token_ttl_seconds: 60 }, 400, /^token_ttl_seconds must lie between 300 and 900 seconds/],
      [{ ...body(), token_ttl_seconds: 3600 }, 400, /^token_ttl_seconds must lie between 300 and 900 seconds/],
      [{ ...body(), token_ttl_seconds: 600.5 }, 400, /^body\.token_ttl_seconds/],
      [{ ...body(), jwks: { keys: [priv] } }, 400, /^jwks\.keys\[0\]: contains private key material \(d\)/],
      [{ ...body(), jwks: { keys: [{ kty: 'oct', k: 'AAAA' }] } }, 400, /private key material \(k\)/],
      [{ ...body(), id: 'Bad Id' }, 400, /^body\.id must match pattern/],
      [{ ...body(), metadata: { 'bad key!': 'x' } }, 400, /^metadata\.bad key! key must match/],
      [{ ...body(), purpose: undefined }, 400, /^body\.purpose is required$/],
      [{ ...body(), id: agent.id }, 409, /already exists/],
    ];
    for (const [payload, status, message] of cases) {
      const res = await server.api('POST', '/v1/agents', payload);
      expect(res.status, JSON.stringify(payload).slice(0, 80)).toBe(status);
      expect(res.body.message).toMatch(message);
      expect(res.body.request_id).toBeTruthy();
    }
    expect((await server.api('POST', '/v1/agents', '{"name": ')).body.error).toBe('malformed_json');
    expect((await server.api('PATCH', `/v1/agents/${agent.id}`, {})).status).toBe(400);
    expect((await server.api('PATCH', `/v1/agents/${agent.id}`, { token_ttl_seconds: 10 })).status).toBe(400);
    expect((await server.api('PATCH', `/v1/agents/${agent.id}`, { jwks: { keys: [priv] } })).status).toBe(400);
    const unknown = await server.api('GET', '/v1/agents/agent-nobody');
    expect(unknown).toMatchObject({ status: 404, body: { error: 'not_found', message: "agent 'agent-nobody' not found" } });
    expect((await server.api('POST', '/v1/agents/agent-nobody/suspend')).status).toBe(404);
    expect((await server.api('PATCH', '/v1/agents/agent-nobody', { name: 'x' })).status).toBe(404);
    expect((await server.api('POST', `/v1/agents/${agent.id}/suspend`, { reason: 'x', extra: 1 })).status).toBe(400);
    expect((await server.api('GET', '/v1/agents?status=sleeping')).body.message).toMatch(/unknown status sleeping/);
    expect((await server.api('GET', '/v1/agents?cursor=garbage')).body.message).toMatch(/cursor is not valid/);
    expect((await server.api('GET', '/v1/agents?limit=0')).status).toBe(400);
    expect((await server.api('GET', '/v1/agents?colour=blue')).status).toBe(400);
    expect(await agentCount()).toBe(agentsBefore);
    expect(await auditCount()).toBe(auditBefore);
    expect((await server.api('GET', `/v1/agents/${agent.id}`)).body.status).toBe('active');
  });

  it('lists with filters and stable cursor paging', async () => {
    const env = `paging-${kind}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const scopes = i % 2 === 0 ? ['files.read', 'fi%es_write'] : ['files.readonly'];
      ids.push((await register({ environment: env, scopes, purpose: i === 3 ? 'Needle in the haystack 100%' : 'ordinary' })).agent.id);
    }
    await server.api('POST', `/v1/agents/${ids[1]}/suspend`);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: { items: Array<{ id: string }>; next_cursor: string | null } } = await server.api(
        'GET',
        `/v1/agents?environment=${env}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((a) => a.id));
      cursor = res.body.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);

    const list = async (query: string) => ((await server.api('GET', `/v1/agents?environment=${env}&${query}`)).body.items as Array<{ id: string }>).map((a) => a.id);
    expect(await list('scope=files.read')).toEqual([ids[0], ids[2], ids[4]]);
    expect(await list('scope=fi%25es_write')).toEqual([ids[0], ids[2], ids[4]]);
    expect(await list('scope=files')).toEqual([]);
    expect(await list('status=suspended')).toEqual([ids[1]]);
    expect(await list('status=active,suspended')).toEqual(ids);
    expect(await list('q=NEEDLE')).toEqual([ids[3]]);
    expect(await list('q=100%25')).toEqual([ids[3]]);
    expect(await list('q=0%25')).toEqual([ids[3]]);
    expect(await list('q=_')).toEqual([]);
    expect(await list('owner=ALICE@example.com')).toEqual(ids);
    expect(await list('owner=bob@example.com')).toEqual([]);
  });

  it('lets an owner operator manage only its own agents', async () => {
    const make = async (email: string, roles: string[]) => (await server.api('POST', '/v1/operators', { email, roles })).body.token as string;
    const ownerToken = await make(`olga-${kind}@example.com`, ['owner']);
    // What an owner may give its agents is an admin's call (grant ceiling; grant-ceiling.test.ts).
    const olga = (await server.api('GET', '/v1/operators')).body.items.find((o: { email: string }) => o.email === `olga-${kind}@example.com`);
    const ceiling = { scopes: ['calendar.read'], tools: ['google-calendar-api'], max_classification: 'internal' };
    expect((await server.api('PUT', `/v1/operators/${olga.id}/grant-ceiling`, ceiling)).status).toBe(200);
    const auditorToken = await make(`audrey-${kind}@example.com`, ['auditor']);
    const env = `owners-${kind}`;
    const mine = await register({ owner: `olga-${kind}@example.com`, environment: env }, ownerToken);
    const theirs = await register({ owner: 'someone@example.com', environment: env });

    const foreign = await server.api('POST', '/v1/agents', body({ owner: 'someone@example.com' }), { token: ownerToken });
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toMatch(/an owner may only register agents it owns/);
    const listed = await server.api('GET', `/v1/agents?environment=${env}`, undefined, { token: ownerToken });
    expect(listed.body.items.map((a: { id: string }) => a.id)).toEqual([mine.agent.id]);
    expect((await server.api('GET', `/v1/agents/${theirs.agent.id}`, undefined, { token: ownerToken })).status).toBe(403);
    expect((await server.api('GET', `/v1/agents/${mine.agent.id}`, undefined, { token: ownerToken })).status).toBe(200);
    expect((await server.api('PATCH', `/v1/agents/${theirs.agent.id}`, { purpose: 'mine now' }, { token: ownerToken })).status).toBe(403);
    expect((await server.api('POST', `/v1/agents/${theirs.agent.id}/suspend`, undefined, { token: ownerToken })).status).toBe(403);
    expect((await server.api('POST', `/v1/agents/${theirs.agent.id}/rotate-secret`, undefined, { token: ownerToken })).status).toBe(403);
    expect((await server.api('PATCH', `/v1/agents/${mine.agent.id}`, { owner: 'someone@example.com' }, { token: ownerToken })).status).toBe(403);
    expect((await server.api('PATCH', `/v1/agents/${mine.agent.id}`, { purpose: 'still mine' }, { token: ownerToken })).status).toBe(200);
    expect((await server.api('POST', `/v1/agents/${mine.agent.id}/suspend`, undefined, { token: ownerToken })).status).toBe(200);
    expect((await server.api('POST', `/v1/agents/${mine.agent.id}/review`, { notes: 'ok' }, { token: ownerToken })).body.last_review.by).toMatch(/^operator:op-olga/);

    // An auditor reads everything and changes nothing.
    expect((await server.api('GET', `/v1/agents?environment=${env}`, undefined, { token: auditorToken })).body.items.length).toBe(2);
    const write = await server.api('POST', `/v1/agents/${theirs.agent.id}/suspend`, undefined, { token: auditorToken });
    expect(write.status).toBe(403);
    expect(write.body.message).toMatch(/auditor may not agents:write/);
    expect((await auditFor(theirs.agent.id)).length).toBe(1);
  });

  it('lets an agent read its own record with its own token, and nothing else', async () => {
    const a = await register();
    const b = await register();
    // Stands in for the OAuth context's access-token resolver: the same Authenticator path.
    server.runtime.authenticator.register({
      recognises: (credential) => credential.startsWith('test-agent-token:'),
      resolve: async (credential) => {
        const agentId = credential.slice('test-agent-token:'.length);
        return { kind: 'agent', agentId, clientId: agentId, claims: { sub: agentId }, token: credential };
      },
    });
    const token = `test-agent-token:${a.agent.id}`;
    expect((await server.api('GET', `/v1/agents/${a.agent.id}`, undefined, { token })).body.id).toBe(a.agent.id);
    expect((await server.api('GET', `/v1/agents/${b.agent.id}`, undefined, { token })).status).toBe(403);
    expect((await server.api('GET', '/v1/agents', undefined, { token })).status).toBe(403);
    expect((await server.api('POST', `/v1/agents/${a.agent.id}/rotate-secret`, undefined, { token })).status).toBe(403);
    expect((await server.api('GET', `/v1/agents/${a.agent.id}`, undefined, { token: null })).status).toBe(401);
  });

  it('documents the agent endpoints in OpenAPI', async () => {
    const { body: doc } = await server.api('GET', '/openapi.json', undefined, { token: null });
    for (const path of ['/v1/agents', '/v1/agents/{id}', '/v1/agents/{id}/suspend', '/v1/agents/{id}/review', '/v1/agents/{id}/rotate-secret']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });
});
