import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/**
 * QA: concurrent conflicting operator changes. Exactly one of several simultaneous disables
 * (or token revocations) succeeds, the others are 409, and the audit log records one change.
 */
describe.each(storeKinds())('concurrent operator changes on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ kind });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const entries = async (type: string, subject: string) =>
    (await server.api('GET', `/v1/audit?type=${type}&subject=${subject}`)).body.items as Array<{ details: Record<string, unknown> }>;

  it('disables an operator once however many ask at the same time', async () => {
    for (let round = 0; round < 3; round += 1) {
      const created = await server.api('POST', '/v1/operators', { email: `race-${round}@example.com`, roles: ['auditor'] });
      const id = created.body.operator.id as string;
      const answers = await Promise.all([0, 1, 2, 3].map(() => server.api('POST', `/v1/operators/${id}/disable`)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409]);
      expect(await entries('operator.disabled', id)).toHaveLength(1);
    }
  });

  it('revokes a token once however many ask at the same time', async () => {
    for (let round = 0; round < 3; round += 1) {
      const created = await server.api('POST', '/v1/operators', { email: `revoke-${round}@example.com`, roles: ['auditor'] });
      const { operator, token_id: tokenId } = created.body;
      const answers = await Promise.all([0, 1, 2, 3].map(() => server.api('DELETE', `/v1/operators/tokens/${tokenId}`)));
      expect(answers.map((a) => a.status).sort()).toEqual([204, 409, 409, 409]);
      expect((await entries('operator.token_revoked', operator.id)).filter((e) => e.details.token_id === tokenId)).toHaveLength(1);
    }
  });

  it('issues no usable token to an operator being disabled at the same time', async () => {
    const created = await server.api('POST', '/v1/operators', { email: 'issue-race@example.com', roles: ['auditor'] });
    const id = created.body.operator.id as string;
    const [disabled, issued] = await Promise.all([server.api('POST', `/v1/operators/${id}/disable`), server.api('POST', `/v1/operators/${id}/tokens`, {})]);
    expect(disabled.status).toBe(200);
    if (issued.status === 201) {
      const me = await server.api('GET', '/v1/operators/me', undefined, { token: issued.body.token });
      expect(me.status).toBe(401);
    } else {
      expect(issued.status).toBe(409);
    }
  });
});
