import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { putPolicy } from './support.js';

/**
 * Numbers in policy data and evaluation input stay exact, as in OPA: a 30-digit integer is not
 * rounded to a double (123456789012345678901234567890 used to come back as
 * 123456789012345677877719597056), through the request, the stored revision (both stores),
 * evaluation and the response. Bodies are compared as text: JSON.parse would round them again.
 */
const BIG = '123456789012345678901234567890';
const BIG_NEXT = '123456789012345678901234567891';
const DECIMAL = '0.1000000000000000000000000000000000000001';

const POLICY = `package exact

import rego.v1

big_equal if data.exact_data.big == ${BIG}
big_equal_neighbour if data.exact_data.big == ${BIG_NEXT}
decimal_equal if data.exact_data.dec == ${DECIMAL}
decimal_above_tenth if data.exact_data.dec > 0.1
input_is_big if input.n == ${BIG}
input_plus_one := input.n + 1
echo := input
`;

describe.each(storeKinds())('exact numbers in the data API on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ kind });
    const put = await putPolicy(server, 'exact.rego', POLICY);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** A call whose response body is returned as text, exactly as sent. */
  async function call(method: string, path: string, body?: string, contentType = 'application/json'): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { authorization: `Bearer ${server.adminToken}` };
    if (body !== undefined) headers['content-type'] = contentType;
    const res = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    return { status: res.status, text: await res.text() };
  }

  it('stores data with a 30-digit integer and a long decimal and serves them back exactly', async () => {
    const put = await call('PUT', '/v1/data/exact_data', `{"big": ${BIG}, "dec": ${DECIMAL}, "list": [${BIG}, -${BIG}, 1e3, 2.5]}`);
    expect(put.status, put.text).toBe(204);
    const got = await call('GET', '/v1/data/exact_data');
    expect(got.status).toBe(200);
    expect(got.text).toBe(`{"result":{"big":${BIG},"dec":${DECIMAL},"list":[${BIG},-${BIG},1000,2.5]}}`);
    const leaf = await call('GET', '/v1/data/exact_data/big');
    expect(leaf.text).toBe(`{"result":${BIG}}`);
  });

  it('evaluates rules that compare the stored numbers exactly', async () => {
    const rules = await call('GET', '/v1/data/exact');
    expect(rules.status, rules.text).toBe(200);
    const result = JSON.parse(rules.text).result;
    expect(result.big_equal).toBe(true);
    // A double cannot tell these two apart; the exact value can.
    expect(result.big_equal_neighbour).toBeUndefined();
    expect(result.decimal_equal).toBe(true);
    expect(result.decimal_above_tenth).toBe(true);
  });

  it('keeps the numbers exact across later revisions and a rollback (reread from the store)', async () => {
    expect((await call('PUT', '/v1/data/other', '{"x": 1}')).status).toBe(204);
    expect((await call('PUT', '/v1/data/exact_data/big', BIG_NEXT)).status).toBe(204);
    expect((await call('GET', '/v1/data/exact_data/big')).text).toBe(`{"result":${BIG_NEXT}}`);
    const rollback = await call('POST', '/v1/policies/rollback', '{}');
    expect(rollback.status, rollback.text).toBe(200);
    expect((await call('GET', '/v1/data/exact_data/big')).text).toBe(`{"result":${BIG}}`);
    expect((await call('GET', '/v1/data/exact_data/dec')).text).toBe(`{"result":${DECIMAL}}`);
    // A data document sent as text/plain is parsed the same exact way.
    expect((await call('PUT', '/v1/data/plain', `[${BIG}]`, 'text/plain')).status).toBe(204);
    expect((await call('GET', '/v1/data/plain')).text).toBe(`{"result":[${BIG}]}`);
  });

  it('evaluates POST /v1/data with a big integer in the input exactly', async () => {
    const yes = await call('POST', '/v1/data/exact/input_is_big', `{"input": {"n": ${BIG}}}`);
    expect(yes.text).toBe('{"result":true}');
    const no = await call('POST', '/v1/data/exact/input_is_big', `{"input": {"n": ${BIG_NEXT}}}`);
    expect(no.text).toBe('{}');
    const plus = await call('POST', '/v1/data/exact/input_plus_one', `{"input": {"n": ${BIG}}}`);
    expect(plus.text).toBe(`{"result":${BIG_NEXT}}`);
    const echo = await call('POST', '/v1/data/exact/echo', `{"input": {"n": ${BIG}, "d": ${DECIMAL}}}`);
    expect(echo.text).toBe(`{"result":{"d":${DECIMAL},"n":${BIG}}}`);
  });

  it('still refuses malformed JSON, NUL, lone surrogates, overflowing numbers and oversized bodies', async () => {
    const before = (await call('GET', '/v1/data/exact_data')).text;
    const refusals: [string, string, string][] = [
      ['PUT', '/v1/data/exact_data', '{"big": 1,}'],
      ['PUT', '/v1/data/exact_data', '{"a": 1, "a": 2}'],
      ['PUT', '/v1/data/exact_data', '{"s": "a\\u0000b"}'],
      ['PUT', '/v1/data/exact_data', '{"s": "\\ud800"}'],
      ['PUT', '/v1/data/exact_data', '{"n": 1e999}'],
      ['POST', '/v1/data/exact/echo', '{"input": {"deep": [[[{"s": "\\udc00"}]]]}}'],
      ['POST', '/v1/data/exact/echo', `{"input": ${'['.repeat(100)}1e999${']'.repeat(100)}}`],
    ];
    for (const [method, path, body] of refusals) {
      const res = await call(method, path, body);
      expect(res.status, `${body}: ${res.text}`).toBe(400);
      expect(JSON.parse(res.text).code).toBe('invalid_parameter');
    }
    const nul = await call('PUT', '/v1/data/exact_data', '{"s": "a\\u0000b"}');
    expect(JSON.parse(nul.text).message).toContain('body.s must not contain NUL characters');
    const overflow = await call('PUT', '/v1/data/exact_data', '{"n": 1e999}');
    expect(JSON.parse(overflow.text).message).toContain('body.n is a number too large to represent');
    const big = await call('PUT', '/v1/data/exact_data', `{"s": "${'x'.repeat(server.config.bodyLimitBytes)}"}`);
    expect(big.status).toBe(413);
    expect((await call('GET', '/v1/data/exact_data')).text).toBe(before);
  });
});
