import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { calendarRead, policyAgent, startOAuthServer } from './support.js';

/** Forbids one tool on top of the default bundle. */
const FORBID_INSERT = `package mandate.authz

import rego.v1

deny contains "tool_forbidden" if input.tool == "google-calendar-api:events.insert"
`;

describe.each(storeKinds())('what-if replay on %s', (kind) => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
  const allowedInserts: string[] = [];

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
    const agent = await policyAgent(server, { name: `replayed bot ${kind}` });
    const token = await agent.token();
    const decide = async (body: Record<string, unknown>) => {
      const res = await server.api('POST', '/v1/authorize', body, { token });
      expect(res.status).toBe(200);
      return res.body as { decision: string; decision_id: string };
    };
    // Two allowed inserts, one allowed list, one insert denied anyway (another user's calendar).
    for (const id of ['a', 'b']) {
      const d = await decide({ ...calendarRead(), action: 'write', tool: 'google-calendar-api:events.insert', resource: { ...calendarRead().resource, id } });
      expect(d.decision).toBe('allow');
      allowedInserts.push(d.decision_id);
      clock.advance(60_000);
    }
    expect((await decide(calendarRead())).decision).toBe('allow');
    expect((await decide({ ...calendarRead('bob@example.com'), action: 'write', tool: 'google-calendar-api:events.insert' })).decision).toBe('deny');
    await server.runtime.audit.flush();
    clock.advance(3_600_000);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reports exactly the allowed decisions a candidate forbidding a tool would deny', async () => {
    const res = await server.api('POST', '/v1/policies/replay', { modules: { 'forbid-insert.rego': FORBID_INSERT }, since: '24h' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.evaluated).toBe(4);
    expect(res.body.changed.map((c: { decision_id: string }) => c.decision_id).sort()).toEqual([...allowedInserts].sort());
    for (const change of res.body.changed) {
      expect(change).toMatchObject({ before: 'allow', after: 'deny', reasons_after: ['tool_forbidden'], action: 'write', tool: 'google-calendar-api:events.insert' });
    }
    // Nothing was stored: the active policy is unchanged.
    expect((await server.api('GET', '/v1/policies/forbid-insert.rego')).status).toBe(404);
  });

  it('honours the window, reports no change for the active set itself, and rejects a candidate that does not compile', async () => {
    expect((await server.api('POST', '/v1/policies/replay', { modules: { 'forbid-insert.rego': FORBID_INSERT }, since: '30m' })).body).toMatchObject({ evaluated: 0, changed: [] });
    expect((await server.api('POST', '/v1/policies/replay', { modules: {}, since: '24h' })).body).toMatchObject({ evaluated: 4, changed: [] });
    const bad = await server.api('POST', '/v1/policies/replay', { modules: { 'x.rego': 'package x\nallow if {' }, since: '24h' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].code).toBe('rego_parse_error');
    expect((await server.api('POST', '/v1/policies/replay', { modules: {}, since: 'yesterday' })).status).toBe(400);
  });

  it('removing the default module (null) turns every allow into a deny under default deny', async () => {
    const res = await server.api('POST', '/v1/policies/replay', { modules: { 'mandate/authz.rego': null, 'keep.rego': 'package mandate.authz\n\ndefault allow := false\n' }, since: '24h' });
    expect(res.body.changed).toHaveLength(3);
    expect(res.body.changed.every((c: { after: string; reasons_after: string[] }) => c.after === 'deny' && c.reasons_after[0] === 'default_deny')).toBe(true);
  });
});
