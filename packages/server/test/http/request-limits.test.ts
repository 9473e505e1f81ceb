/**
 * Every limit is explicit: what a caller sends is bounded, and a request over a bound is a 4xx
 * naming it, never a 500 and never a half-written change. These are the gaps a review of every
 * route found (each was a 500 or an unbounded cost before), on both stores: the PostgreSQL
 * integer overflows only ever showed there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { calendarRead, policyAgent, startOAuthServer } from '../policy/support.js';

/** `{"a":{"a":…leaf…}}` nested `depth` levels, as text (JSON.stringify would refuse nothing, but recursing to build it is the point). */
const nested = (depth: number, leaf = '1') => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;

/** Walks a request schema from the OpenAPI document, yielding the path of every integer with no maximum. */
function* unboundedIntegers(schema: any, at: string): Generator<string> {
  if (!schema || typeof schema !== 'object') return;
  if ((schema.type === 'integer' || schema.type === 'number') && schema.maximum === undefined && schema.exclusiveMaximum === undefined && !schema.enum) yield at;
  for (const [key, member] of Object.entries(schema.properties ?? {})) yield* unboundedIntegers(member, `${at}.${key}`);
  if (typeof schema.additionalProperties === 'object') yield* unboundedIntegers(schema.additionalProperties, `${at}.*`);
  if (schema.items) yield* unboundedIntegers(schema.items, `${at}[]`);
  for (const key of ['anyOf', 'oneOf', 'allOf']) for (const member of schema[key] ?? []) yield* unboundedIntegers(member, at);
}

describe.each(storeKinds())('request limits on %s', (kind) => {
  let server: TestServer;
  let agentToken: string;

  /** The audit log's length: a refused request must not have written anything. */
  const auditCount = async () => ((await server.api('GET', '/v1/audit/verify')).body as { count: number }).count;

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    const agent = await policyAgent(server, { name: `limits bot ${kind}` });
    agentToken = await agent.token();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('bounds every integer a request may send (params, query, body) with a maximum', async () => {
    const doc = (await server.api('GET', '/openapi.json')).body as { paths: Record<string, Record<string, any>> };
    const unbounded: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const at = `${method.toUpperCase()} ${path}`;
        for (const parameter of operation.parameters ?? []) unbounded.push(...unboundedIntegers(parameter.schema, `${at} ${parameter.in}.${parameter.name}`));
        for (const content of Object.values(operation.requestBody?.content ?? {}) as any[]) unbounded.push(...unboundedIntegers(content.schema, `${at} body`));
      }
    }
    expect(Object.keys(doc.paths).length).toBeGreaterThan(50);
    expect(unbounded).toEqual([]);
  });

  it('refuses integers beyond a stored column with 400 naming the field, not a database error', async () => {
    const refusals: Array<[string, string, unknown?]> = [
      ['GET', '/v1/policy-revisions/3000000000'],
      ['POST', '/v1/policies/rollback', { to: 3_000_000_000 }],
      ['GET', '/v1/secrets/limits/a?version=3000000000'],
      ['PUT', '/v1/secrets/limits/a', { data: { k: 'v' }, cas: 3_000_000_000 }],
      ['GET', '/v1/svids/revocations?after=100000000000000000000'],
    ];
    for (const [method, path, body] of refusals) {
      const res = await server.api(method, path, body);
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.message).toMatch(/must be <= (2147483647|9007199254740991)/);
    }
  });

  it('refuses a number beyond a double in a decision context with 400 naming it, and logs nothing', async () => {
    const before = await auditCount();
    const res = await server.api('POST', '/v1/authorize', `{"action":"read","tool":"google-calendar-api:events.list","resource":{"type":"calendar","id":"primary"},"context":{"n":1e999}}`, { token: agentToken });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.message).toBe("body.context.n is a number too large to represent (beyond a double's range)");
    expect(res.body.details.field).toBe('body.context.n');
    expect(await auditCount()).toBe(before);
    // The same decision with a finite number is made (and logged).
    const fine = await server.api('POST', '/v1/authorize', { ...calendarRead(), context: { n: 1e300 } }, { token: agentToken });
    expect(fine.status, JSON.stringify(fine.body)).toBe(200);
  });

  describe('POST /v1/approvals binds a context /v1/authorize would accept', () => {
    const ask = (context: string) =>
      server.api('POST', '/v1/approvals', `{"action":"delete","tool":"files-api:files.delete","resource":{"type":"files","id":"a.txt"},"reason":"cleanup","context":${context}}`, { token: agentToken });

    it('refuses a number beyond a double (was a 500 from the audit writer)', async () => {
      const res = await ask('{"n":1e999}');
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.details.field).toBe('body.context.n');
    });

    it('refuses nesting beyond bodyMaxDepth at the edge, naming the setting (was a 500 at 5,000 levels)', async () => {
      const before = await auditCount();
      const res = await ask(nested(5_000));
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.message).toMatch(/^body\.context(\.a)+ is nested more than 64 levels deep \(bodyMaxDepth\)$/);
      expect(res.body).toMatchObject({ error: 'input_too_deep', details: { limit: 64, rule: 'bodyMaxDepth' } });
      // Unstorable text below the old guard's depth (70) is refused too, by the same bound.
      expect((await ask(nested(70, '"\\ud800"'))).status).toBe(400);
      expect(await auditCount()).toBe(before);
    });

    it("applies the decision's own limits: depth (policy.decisionInputMaxDepth) and size (policy.decisionInputMaxBytes)", async () => {
      const deep = await ask(nested(20));
      expect(deep.status, JSON.stringify(deep.body)).toBe(400);
      expect(deep.body).toMatchObject({ error: 'input_too_deep', details: { rule: 'policy.decisionInputMaxDepth' } });
      const large = await ask(JSON.stringify({ note: 'x'.repeat(server.config.policy.decisionInputMaxBytes) }));
      expect(large.status, JSON.stringify(large.body)).toBe(413);
      expect(large.body).toMatchObject({ error: 'input_too_large', details: { rule: 'policy.decisionInputMaxBytes' } });
      // Within the limits, the request is made.
      expect((await ask('{"ticket":"T-1"}')).status).toBe(201);
    });
  });

  it('refuses a data API document nested beyond bodyMaxDepth, as JSON and as text (was a stack overflow, 500)', async () => {
    const deep = nested(2_000);
    const evaluated = await server.api('POST', '/v1/data/limits/echo', `{"input":${deep}}`);
    expect(evaluated.status, JSON.stringify(evaluated.body)).toBe(400);
    expect(evaluated.body.message).toContain('(bodyMaxDepth)');
    // A document is written as any media type (OPA's clients send text): parsed after the edge, checked the same.
    for (const contentType of ['application/json', 'text/plain']) {
      const written = await server.api('PUT', '/v1/data/limits/deep', deep, { headers: { 'content-type': contentType } });
      expect(written.status, `${contentType}: ${JSON.stringify(written.body)}`).toBe(400);
    }
    expect((await server.api('GET', '/v1/data/limits/deep')).body).toEqual({});
  });

  it('takes a replay window reaching before 1970 as the whole log (was a 500 from an invalid date)', async () => {
    const res = await server.api('POST', '/v1/policies/replay', { modules: {}, since: '999999999d' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // The decision made above is in the whole log.
    expect(res.body.evaluated).toBeGreaterThanOrEqual(1);
  });

  it('names the body limit in the 413', async () => {
    const res = await server.api('POST', '/v1/agents', { name: 'x'.repeat(server.config.bodyLimitBytes) });
    expect(res.status).toBe(413);
    expect(res.body.message).toBe(`the request body is larger than this endpoint's limit of ${server.config.bodyLimitBytes} bytes (bodyLimitBytes)`);
    expect(res.body.details).toEqual({ limit: server.config.bodyLimitBytes });
  });
});
