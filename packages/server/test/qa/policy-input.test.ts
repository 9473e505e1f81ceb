import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHead } from '../support/audit.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/**
 * QA: hostile input on the policy and data APIs. Every refusal is a JSON error with a 4xx
 * status, never a 500, and writes nothing: no revision, no audit entry beyond the refusal.
 */
describe.each(storeKinds())('policy and data APIs under hostile input on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    // A small step limit keeps the runaway policy below quick; the limit itself is what is tested.
    server = await startTestServer({ kind, config: { policy: { maxSteps: 20_000 } } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function revisionHead(): Promise<number> {
    const { body } = await server.api('GET', '/v1/policy-revisions?limit=1');
    return body.result[0].revision as number;
  }

  /**
   * Raw call with the admin token: the path goes on the wire exactly as written (fetch would
   * resolve `..` and `%2E` segments first), `body` as is, with the given content type.
   */
  function raw(method: string, path: string, body?: string, contentType = 'text/plain'): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { authorization: `Bearer ${server.adminToken}` };
    if (body !== undefined) headers['content-type'] = contentType;
    return new Promise((resolve, reject) => {
      const { hostname, port } = new URL(server.url);
      const req = httpRequest({ hostname, port, path, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* keep the text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Expects a refusal with `status` whose message contains `says`, and no new revision. */
  async function expectRefused(method: string, path: string, body: string | undefined, status: number, says: string, contentType?: string) {
    const revision = await revisionHead();
    const response = await raw(method, path, body, contentType);
    expect(response.status, `${method} ${path} → ${JSON.stringify(response.body)}`).toBe(status);
    expect(response.body).toMatchObject({ code: expect.any(String), message: expect.any(String), request_id: expect.any(String) });
    expect(response.body.message).toContain(says);
    expect(await revisionHead()).toBe(revision);
    return response;
  }

  const MODULE = 'package qa.ids\n\nimport rego.v1\n\nallow := true\n';

  it('refuses policy ids with empty, "." or ".." segments, control characters or over 256 characters', async () => {
    const before = await auditHead(server);
    await expectRefused('PUT', '/v1/policies/..%2Fx', MODULE, 400, '..');
    await expectRefused('PUT', '/v1/policies/a%2F..%2Fb', MODULE, 400, '..');
    await expectRefused('PUT', '/v1/policies/.%2Fx', MODULE, 400, '.');
    await expectRefused('PUT', '/v1/policies/..', MODULE, 400, '..');
    await expectRefused('PUT', '/v1/policies/a//b.rego', MODULE, 400, 'empty');
    await expectRefused('PUT', '/v1/policies/a/b/', MODULE, 400, 'empty');
    await expectRefused('PUT', '/v1/policies/%2Fabs.rego', MODULE, 400, 'empty');
    await expectRefused('PUT', '/v1/policies/a%09b', MODULE, 400, 'control');
    await expectRefused('PUT', '/v1/policies/a%7Fb', MODULE, 400, 'control');
    await expectRefused('PUT', '/v1/policies/a%C2%85b', MODULE, 400, 'control');
    await expectRefused('PUT', '/v1/policies/a%E2%80%AEb', MODULE, 400, 'control');
    await expectRefused('PUT', `/v1/policies/${'x'.repeat(257)}`, MODULE, 400, '256');
    await expectRefused('DELETE', '/v1/policies/..%2Fmandate%2Fauthz.rego', undefined, 400, '..');
    // Nothing was stored under any of those names, and a refused id is not a compile refusal.
    const list = await server.api('GET', '/v1/policies');
    expect(list.body.result.map((p: { id: string }) => p.id)).toEqual(['mandate/authz.rego']);
    expect(await auditHead(server)).toBe(before);
    // What stays allowed: OPA's path-like ids, dots inside names, unicode letters, exactly 256 characters.
    for (const id of ['teams/payments/authz.rego', '.hidden/x.rego', 'a..b.rego', 'équipe/règles.rego', 'y'.repeat(256)]) {
      const put = await raw('PUT', `/v1/policies/${encodeURIComponent(id).replaceAll('%2F', '/')}`, MODULE.replace('qa.ids', `qa.ids${id.length}${id.charCodeAt(0)}`));
      expect(put.status, `${id} → ${JSON.stringify(put.body)}`).toBe(200);
      const got = await raw('GET', `/v1/policies/${encodeURIComponent(id)}`);
      expect(got.body.result.id).toBe(id);
    }
  });

  it('refuses data paths with empty, "." or ".." segments or control characters', async () => {
    const before = await auditHead(server);
    await expectRefused('PUT', '/v1/data/a/..%2Fb', '{}', 400, '..', 'application/json');
    await expectRefused('PUT', '/v1/data/%2E', '{}', 400, '.', 'application/json');
    await expectRefused('PUT', '/v1/data/a//b', '{}', 400, 'empty', 'application/json');
    await expectRefused('PUT', '/v1/data/a%1Bb', '{}', 400, 'control', 'application/json');
    await expectRefused('DELETE', '/v1/data/a/..', undefined, 400, '..');
    await expectRefused('GET', '/v1/data/a/..%2F..', undefined, 400, '..');
    await expectRefused('POST', '/v1/data/a//b', '{"input":{}}', 400, 'empty', 'application/json');
    expect(await auditHead(server)).toBe(before);
    // The root, a trailing slash (OPA clients send one) and odd but printable keys still work.
    expect((await raw('PUT', '/v1/data/qa/odd%20key%2B%C3%A9', '{"v":1}', 'application/json')).status).toBe(204);
    expect((await raw('GET', '/v1/data/qa/odd%20key%2B%C3%A9/v')).body).toEqual({ result: 1 });
    expect((await raw('GET', '/v1/data/qa/')).body.result['odd key+é']).toEqual({ v: 1 });
    expect((await raw('GET', '/v1/data')).status).toBe(200);
  });

  it('stops a runaway or conflicting policy on the data API with a 422 naming the limit, not a 500', async () => {
    const runaway = 'package qa.runaway\n\nimport rego.v1\n\nnums := numbers.range(1, 1000)\n\nx := count([1 | some a in nums; some b in nums; a == b])\n';
    const conflict = 'package qa.conflict\n\nimport rego.v1\n\np := 1 if input.a\n\np := 2 if input.b\n';
    expect((await raw('PUT', '/v1/policies/qa/runaway.rego', runaway)).status).toBe(200);
    expect((await raw('PUT', '/v1/policies/qa/conflict.rego', conflict)).status).toBe(200);
    const before = await auditHead(server);
    for (const [method, path, body] of [['POST', '/v1/data/qa/runaway/x', '{"input":{}}'], ['GET', '/v1/data/qa/runaway', undefined], ['GET', '/v1/data', undefined]] as const) {
      const res = await raw(method, path, body, 'application/json');
      expect(res.status, `${method} ${path} → ${JSON.stringify(res.body)}`).toBe(422);
      expect(res.body).toMatchObject({ code: 'evaluation_error', error: 'policy_error', request_id: expect.any(String) });
      expect(res.body.message).toContain('step limit');
      expect(res.body.errors[0]).toMatchObject({ code: 'eval_cancel_error' });
    }
    const clash = await raw('POST', '/v1/data/qa/conflict/p', '{"input":{"a":true,"b":true}}', 'application/json');
    expect(clash.status).toBe(422);
    expect(clash.body.errors[0]).toMatchObject({ code: 'eval_conflict_error', location: { file: 'qa/conflict.rego', row: expect.any(Number) } });
    // Evaluating writes nothing, and the server still answers.
    expect(await auditHead(server)).toBe(before);
    expect((await raw('DELETE', '/v1/policies/qa/runaway.rego')).status).toBe(200);
    expect((await raw('GET', '/v1/data/qa/conflict')).status).toBe(200);
  });

  it('holds JSON sent as text to the same rules as JSON: no NUL, no lone surrogate, no overflowing number', async () => {
    await expectRefused('PUT', '/v1/data/qa/text', '{"a":"x\\u0000y"}', 400, 'body.a', 'text/plain');
    await expectRefused('PUT', '/v1/data/qa/text', '{"a":["\\ud800"]}', 400, 'body.a.0', 'application/octet-stream');
    await expectRefused('PUT', '/v1/data/qa/text', '{"\\u0000":1}', 400, 'body', 'text/plain');
    await expectRefused('PUT', '/v1/data/qa/text', '{"n":1e999}', 400, 'body.n', 'application/json');
    await expectRefused('PUT', '/v1/data/qa/text', '-1e400', 400, 'body', 'text/plain');
    await expectRefused('POST', '/v1/data/qa/text', '{"input":{"n":1e999}}', 400, 'body.input.n', 'application/json');
    expect((await raw('GET', '/v1/data/qa/text')).body).toEqual({});
    expect((await raw('PUT', '/v1/data/qa/text', '{"a":"x\\ty ✓"}', 'text/plain')).status).toBe(204);
    expect((await raw('GET', '/v1/data/qa/text')).body).toEqual({ result: { a: 'x\ty ✓' } });
  });

  it('serves PUT /v1/data (the root, an object) as documented', async () => {
    await expectRefused('PUT', '/v1/data', '[1]', 400, 'object', 'application/json');
    const current = await raw('GET', '/v1/data/qa');
    expect(current.body.result, JSON.stringify(current.body)).toBeDefined();
    expect((await raw('PUT', '/v1/data', '{"qa":{"root":true}}', 'application/json')).status).toBe(204);
    expect((await raw('GET', '/v1/data/qa/root')).body).toEqual({ result: true });
    expect((await raw('GET', '/v1/data/qa/text')).body).toEqual({});
  });

  it('takes an absent body where the body is optional (rollback, evaluation)', async () => {
    const head = await revisionHead();
    const rolled = await raw('POST', '/v1/policies/rollback');
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(200);
    expect(rolled.body).toEqual({ policy_revision: head + 1 });
    const revisions = (await server.api('GET', '/v1/policy-revisions?limit=1')).body.result;
    expect(revisions[0].change).toBe(`rollback to ${head - 1}`);
    const evaluated = await raw('POST', '/v1/data/mandate/authz/allow');
    expect(evaluated.status, JSON.stringify(evaluated.body)).toBe(200);
    expect(evaluated.body).toEqual({ result: false });
    const emptyJson = await raw('POST', '/v1/data/mandate/authz/allow', '', 'application/json');
    expect(emptyJson.status, JSON.stringify(emptyJson.body)).toBe(200);
  });

  it("the default bundle's own replacement command works (it named an id that conflicts with it)", async () => {
    const text = readFileSync(new URL('../../src/policy/default-bundle/authz.rego', import.meta.url), 'utf8');
    const id = /mandate policy put (\S+) <file>/.exec(text)?.[1];
    expect(id).toBeDefined();
    const put = await raw('PUT', `/v1/policies/${id}`, text);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  });

  it('replay refuses to remove a module that does not exist (a typo reported "nothing changes")', async () => {
    const res = await server.api('POST', '/v1/policies/replay', { modules: { 'mandate/authz.reg': null }, since: '24h' });
    expect(res.status, JSON.stringify(res.body)).toBe(404);
    expect(res.body).toMatchObject({ code: 'resource_not_found' });
    expect(res.body.message).toContain('mandate/authz.reg');
    const ok = await server.api('POST', '/v1/policies/replay', { modules: { 'mandate/authz.rego': null }, since: '24h' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });
});
