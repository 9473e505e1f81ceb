import { OPAClient } from '@open-policy-agent/opa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEval, type PolicyIO } from '../../src/cli/policy-offline.js';
import { ManualClock } from '../../src/shared/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { calendarRead, operatorToken, policyAgent, putPolicy, startOAuthServer } from './support.js';

const RBAC = `package example.rbac

import rego.v1

default allow := false

allow if {
	some role in data.roles[input.user]
	input.action in data.grants[role]
}

roles_of contains role if some role in data.roles[input.user]
`;

describe.each(storeKinds())('OPA policy and data APIs on %s', (kind) => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('starts with the default bundle as revision 1', async () => {
    const list = await server.api('GET', '/v1/policies');
    expect(list.status).toBe(200);
    expect(list.body.result.map((p: { id: string }) => p.id)).toEqual(['mandate/authz.rego']);
    expect(list.body.result[0].raw).toContain('package mandate.authz');
    const revisions = await server.api('GET', '/v1/policy-revisions');
    expect(revisions.body.result).toEqual([expect.objectContaining({ revision: 1, author: 'system:default-bundle', active: true, modules: ['mandate/authz.rego'] })]);
  });

  it('puts, reads and deletes modules; ids may contain slashes', async () => {
    const put = await putPolicy(server, 'example/rbac.rego', RBAC);
    expect(put).toEqual({ status: 200, body: { policy_revision: 2 } });
    const got = await server.api('GET', '/v1/policies/example/rbac.rego');
    expect(got.body).toEqual({ result: { id: 'example/rbac.rego', raw: RBAC } });
    const missing = await server.api('GET', '/v1/policies/nope.rego');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('resource_not_found');
  });

  it('rejects a module that does not compile with OPA\'s error body, and keeps the active set', async () => {
    const bad = await putPolicy(server, 'bad.rego', 'package bad\n\nallow if {\n  input.x ==\n}\n');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'invalid_parameter', message: 'error(s) occurred while compiling module(s)' });
    expect(bad.body.errors[0]).toMatchObject({ code: 'rego_parse_error', location: { file: 'bad.rego', row: expect.any(Number), col: expect.any(Number) } });
    // A module that parses but conflicts with the stored ones is refused as a set.
    const conflict = await putPolicy(server, 'conflict.rego', 'package mandate.authz\n\nimport rego.v1\n\ndeny := true\n');
    expect(conflict.status).toBe(400);
    expect(conflict.body.errors.length).toBeGreaterThan(0);
    const list = await server.api('GET', '/v1/policies');
    expect(list.body.result.map((p: { id: string }) => p.id)).toEqual(['example/rbac.rego', 'mandate/authz.rego']);
    const revisions = await server.api('GET', '/v1/policy-revisions');
    expect(revisions.body.result[0].revision).toBe(2);
  });

  it('serves data documents: PUT, GET, POST with input, DELETE', async () => {
    const put = await server.api('PUT', '/v1/data/roles', { alice: ['viewer'], bob: ['editor'] });
    expect(put.status).toBe(204);
    expect((await server.api('PUT', '/v1/data/grants', { viewer: ['read'], editor: ['read', 'write'] })).status).toBe(204);
    expect((await server.api('GET', '/v1/data/roles/alice')).body).toEqual({ result: ['viewer'] });
    const decided = await server.api('POST', '/v1/data/example/rbac/allow', { input: { user: 'bob', action: 'write' } });
    expect(decided.body).toEqual({ result: true });
    expect((await server.api('POST', '/v1/data/example/rbac/allow', { input: { user: 'alice', action: 'write' } })).body).toEqual({ result: false });
    expect((await server.api('POST', '/v1/data/example/rbac/roles_of', { input: { user: 'bob' } })).body).toEqual({ result: ['editor'] });
    expect((await server.api('POST', '/v1/data/example/rbac/nothing', { input: {} })).body).toEqual({});
    const rejected = await server.api('POST', '/v1/data/example/rbac/allow', { inputs: {} });
    expect(rejected.status).toBe(400);
    expect((await server.api('DELETE', '/v1/data/roles/alice')).status).toBe(204);
    expect((await server.api('GET', '/v1/data/roles')).body).toEqual({ result: { bob: ['editor'] } });
    expect((await server.api('DELETE', '/v1/data/roles/alice')).status).toBe(404);
  });

  it('guards the APIs: reads need policies:read or decisions:request, writes policies:write, agents ask /v1/authorize', async () => {
    const auditor = await operatorToken(server, `pol-auditor-${kind}`, ['auditor']);
    const approver = await operatorToken(server, `pol-approver-${kind}`, ['approver']);
    expect((await server.api('GET', '/v1/policies', undefined, { token: auditor })).status).toBe(200);
    expect((await putPolicy(server, 'x.rego', 'package x\n', auditor)).status).toBe(403);
    expect((await server.api('POST', '/v1/data/example/rbac/allow', { input: {} }, { token: approver })).status).toBe(403);
    expect((await server.api('GET', '/v1/policies', undefined, { token: null })).status).toBe(401);
    const agent = await policyAgent(server, { name: `data bot ${kind}` });
    const res = await server.api('POST', '/v1/data/example/rbac/allow', { input: {} }, { token: await agent.token() });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('unauthorized');
  });

  it('rolls back to an earlier revision as a new revision (default: the previous one)', async () => {
    const before = (await server.api('GET', '/v1/policy-revisions')).body.result[0].revision as number;
    expect((await server.api('DELETE', '/v1/policies/example/rbac.rego')).status).toBe(200);
    expect((await server.api('GET', '/v1/policies/example/rbac.rego')).status).toBe(404);
    const back = await server.api('POST', '/v1/policies/rollback', {});
    expect(back.body).toEqual({ policy_revision: before + 2 });
    expect((await server.api('GET', '/v1/policies/example/rbac.rego')).status).toBe(200);
    const toOne = await server.api('POST', '/v1/policies/rollback', { to: 1 });
    expect(toOne.status).toBe(200);
    expect((await server.api('GET', '/v1/policies')).body.result.map((p: { id: string }) => p.id)).toEqual(['mandate/authz.rego']);
    expect((await server.api('GET', '/v1/data')).body.result).not.toHaveProperty('roles');
    const revisions = (await server.api('GET', '/v1/policy-revisions')).body.result;
    expect(revisions[0]).toMatchObject({ change: 'rollback to 1', active: true, modules_hash: revisions.at(-1).modules_hash });
    expect((await server.api('POST', '/v1/policies/rollback', { to: 999 })).status).toBe(404);
  });

  it('answers the official OPA TypeScript SDK exactly as `mandate policy eval` answers offline', async () => {
    expect((await putPolicy(server, 'example/rbac.rego', RBAC)).status).toBe(200);
    const data = { roles: { carol: ['editor'] }, grants: { editor: ['read', 'write'] } };
    expect((await server.api('PUT', '/v1/data/roles', data.roles)).status).toBe(204);
    expect((await server.api('PUT', '/v1/data/grants', data.grants)).status).toBe(204);
    const opa = new OPAClient(server.url, { headers: { authorization: `Bearer ${server.adminToken}` } });
    const input = { user: 'carol', action: 'write' };
    const viaSdk = await opa.evaluate<typeof input, boolean>('example/rbac/allow', input);
    const roles = await opa.evaluate<typeof input, string[]>('example/rbac/roles_of', input);

    const dir = mkdtempSync(join(tmpdir(), 'mandate-opa-'));
    writeFileSync(join(dir, 'rbac.rego'), RBAC);
    writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
    writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
    const offline = (query: string) => {
      let out = '';
      const io: PolicyIO = { out: (t) => void (out += t), err: () => undefined, nowNs: () => BigInt(clock.now()) * 1_000_000n, monotonicMs: () => 0 };
      runEval(query, { data: [join(dir, 'rbac.rego'), join(dir, 'data.json')], input: join(dir, 'input.json'), format: 'pretty' }, io);
      return JSON.parse(out) as unknown;
    };
    expect(viaSdk).toBe(true);
    expect(viaSdk).toEqual(offline('data.example.rbac.allow'));
    expect(roles).toEqual(offline('data.example.rbac.roles_of'));
    const denied = await opa.evaluate<{ user: string; action: string }, boolean>('example/rbac/allow', { user: 'carol', action: 'delete' });
    expect(denied).toBe(false);
  });
});

describe.each(storeKinds())('replicas on %s', (kind) => {
  it('a second replica on the same database notices a new revision', async () => {
    const a = await startTestServer({ kind });
    const b = await startTestServer({ kind, location: a.location, config: { policy: { revisionCheckMs: 0 } } });
    try {
      const adminB = b.adminToken || a.adminToken;
      expect((await b.api('GET', '/v1/data/shared/flag', undefined, { token: adminB })).body).toEqual({});
      expect((await a.api('PUT', '/v1/data/shared', { flag: 'on' })).status).toBe(204);
      expect((await b.api('GET', '/v1/data/shared/flag', undefined, { token: a.adminToken })).body).toEqual({ result: 'on' });
      expect(b.runtime.policies.current().revision).toBe(a.runtime.policies.current().revision);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
