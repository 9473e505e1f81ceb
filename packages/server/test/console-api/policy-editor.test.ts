import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';
import { operatorToken, putPolicy } from '../policy/support.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

const LIMITS = `package example.limits

import rego.v1

default allow := false

allow if input.amount <= data.limits.max
`;

/** What the console's policy editor needs beside the OPA policy API: one revision's texts, and a draft evaluated without storing it. */
describe.each(storeKinds())('policy editor API on %s', (kind) => {
  let server: TestServer;
  let global: string[];
  beforeAll(async () => {
    server = await startTestServer({ kind });
    global = ['--url', server.url, '--token', server.adminToken];
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads one revision with its modules; 404 for one that does not exist', async () => {
    expect((await putPolicy(server, 'example/limits.rego', LIMITS)).status).toBe(200);
    const two = await server.api('GET', '/v1/policy-revisions/2');
    expect(two.status).toBe(200);
    expect(two.body).toMatchObject({ revision: 2, active: true, change: 'put policy example/limits.rego', author: 'operator:admin' });
    expect(two.body.modules['example/limits.rego']).toBe(LIMITS);
    expect(Object.keys(two.body.modules).sort()).toEqual(['example/limits.rego', 'mandate/authz.rego']);
    const one = await server.api('GET', '/v1/policy-revisions/1');
    expect(one.body).toMatchObject({ revision: 1, active: false });
    expect(Object.keys(one.body.modules)).toEqual(['mandate/authz.rego']);
    expect((await server.api('GET', '/v1/policy-revisions/99')).status).toBe(404);
    expect((await server.api('GET', '/v1/policy-revisions/0')).status).toBe(400);

    const shown = await runMandate([...global, 'policy', 'revision', '2']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/change\s+put policy example\/limits\.rego/);
    expect(shown.stdout).toMatch(/example\/limits\.rego\s+example\.limits/);
    const text = await runMandate([...global, 'policy', 'revision', '2', '--module', 'example/limits.rego']);
    expect(text.stdout).toBe(LIMITS);
    expect((await runMandate([...global, 'policy', 'revision', 'two'])).code).toBe(2);
    expect((await runMandate([...global, 'policy', 'revision', '2', '--module', 'nope'])).code).toBe(1);
  });

  it('evaluates a draft against a sample input without storing it; syntax errors come back at their line', async () => {
    expect((await server.api('PUT', '/v1/data/limits', { max: 100 })).status).toBe(204);
    const head = (await server.api('GET', '/v1/policy-revisions?limit=1')).body.result[0].revision;
    const draft = LIMITS.replace('input.amount <= data.limits.max', 'input.amount <= data.limits.max * 2');
    const allowed = await server.api('POST', '/v1/policies/evaluate', { modules: { 'example/limits.rego': draft }, path: 'example/limits/allow', input: { amount: 150 } });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ revision: head, result: true });
    // The stored module still says 100, and nothing new was stored.
    expect((await server.api('POST', '/v1/data/example/limits/allow', { input: { amount: 150 } })).body).toEqual({ result: false });
    expect((await server.api('GET', '/v1/policy-revisions?limit=1')).body.result[0].revision).toBe(head);
    // Exact numbers pass through unrounded.
    const exact = await fetch(`${server.url}/v1/policies/evaluate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: '{"path":"x/y","modules":{"x.rego":"package x\\n\\ny := input.n\\n"},"input":{"n":12345678901234567890123}}',
    });
    expect(await exact.text()).toBe(`{"revision":${head},"result":12345678901234567890123}`);
    // An undefined document: no result.
    expect((await server.api('POST', '/v1/policies/evaluate', { path: 'example/nothing', input: {} })).body).toEqual({ revision: head });

    const broken = await server.api('POST', '/v1/policies/evaluate', { modules: { 'example/limits.rego': 'package example.limits\n\nimport rego.v1\n\nallow if {\n  input.amount <=\n}\n' }, path: 'example/limits/allow', input: {} });
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('invalid_parameter');
    expect(broken.body.errors[0]).toMatchObject({ code: 'rego_parse_error', location: { file: 'example/limits.rego', row: expect.any(Number) } });
    expect(broken.body.errors[0].location.row).toBeGreaterThanOrEqual(6);

    expect((await server.api('POST', '/v1/policies/evaluate', { modules: { 'nope.rego': null }, path: 'x' })).status).toBe(404);
    expect((await server.api('POST', '/v1/policies/evaluate', { path: 'x', extra: 1 })).status).toBe(400);
    expect((await server.api('POST', '/v1/policies/evaluate', { input: {} })).status).toBe(400);

    const approver = await operatorToken(server, `approver-${kind}`, ['approver']);
    expect((await server.api('POST', '/v1/policies/evaluate', { path: 'x' }, { token: approver })).status).toBe(403);
    expect((await server.api('GET', '/v1/policy-revisions/1', undefined, { token: approver })).status).toBe(403);
    const auditor = await operatorToken(server, `auditor-${kind}`, ['auditor']);
    expect((await server.api('POST', '/v1/policies/evaluate', { path: 'example/limits/allow', input: { amount: 1 } }, { token: auditor })).body.result).toBe(true);

    // The CLI: `policy try` prints the result, or the compile errors as file:row:col lines (exit 1).
    const dir = mkdtempSync(join(tmpdir(), 'mandate-try-'));
    writeFileSync(join(dir, 'draft.rego'), draft);
    writeFileSync(join(dir, 'bad.rego'), 'package example.limits\n\nallow if {\n');
    writeFileSync(join(dir, 'input.json'), '{"amount": 150}');
    const ok = await runMandate([...global, 'policy', 'try', 'data.example.limits.allow', '--candidate', join(dir, 'draft.rego'), '--id', 'example/limits.rego', '-i', join(dir, 'input.json')]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ revision: head, result: true });
    const bad = await runMandate([...global, 'policy', 'try', 'example/limits/allow', '--candidate', join(dir, 'bad.rego'), '--id', 'example/limits.rego']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/example\/limits\.rego:\d+:\d+: rego_parse_error/);
    expect((await runMandate([...global, 'policy', 'try', 'x', '--candidate', join(dir, 'draft.rego'), '-i', join(dir, 'draft.rego')])).code).toBe(2);
  });
});
