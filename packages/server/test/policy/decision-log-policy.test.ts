/**
 * Issue 11 item 2: the decision-log policy (package `system.log`, as OPA's). Through
 * POST /v1/authorize on each store: `mask` removes a field from the logged input while the
 * decision used it; `drop` drops an allow and never a deny, an approval_required or an errored
 * decision; a failing log rule still logs the entry, with its input removed; what-if replay of
 * a masked entry sees the input without the masked field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { calendarRead, policyAgent, putPolicy, startOAuthServer } from './support.js';
import { loggedDecisions } from '../support/audit.js';

/** The decision needs a ticket when asked to; the log must not keep it. */
const TICKET_RULE = `package mandate.authz

deny contains "ticket_required" if {
  input.context.needs_ticket
  not input.context.ticket
}

# Two values for one complete rule: an evaluation error (the decision fails closed).
boom := 1 if input.context.boom
boom := 2 if input.context.boom
`;

const LOG_POLICY = `package system.log

mask contains "/input/context/ticket"

mask contains {"op": "upsert", "path": "/input/resource/owner", "value": "someone"} if input.input.context.hide_owner

mask contains 42 if input.input.context.bad_mask

drop if input.input.context.drop_me
`;

describe.each(storeKinds())('decision-log policy (mask, drop) on %s', (kind) => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
  let token: string;

  const decide = async (body: Record<string, unknown>) => {
    const res = await server.api('POST', '/v1/authorize', body, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { decision: string; reasons: string[]; decision_id: string };
  };
  const read = (context: Record<string, unknown>, owner?: string) => ({ ...calendarRead(owner), context });
  const logged = async (decisionId: string) => {
    return (await loggedDecisions(server, decisionId)).map((entry) => entry.details as Record<string, any>);
  };

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
    token = await (await policyAgent(server, { name: `log policy bot ${kind}` })).token();
    for (const [id, text] of [['ticket.rego', TICKET_RULE], ['system/log.rego', LOG_POLICY]]) {
      const put = await putPolicy(server, id!, text!);
      expect(put.status, JSON.stringify(put.body)).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('masks a field the decision used: the allow needed the ticket, the entry does not hold it', async () => {
    expect((await decide(read({ needs_ticket: true }))).reasons).toEqual(['ticket_required']);
    const d = await decide(read({ needs_ticket: true, ticket: 'T-secret', hide_owner: true }));
    expect(d.decision).toBe('allow');
    const [entry] = await logged(d.decision_id);
    expect(entry!.input.context).toEqual({ hide_owner: true, needs_ticket: true });
    expect(entry!.input.resource.owner).toBe('someone');
    expect(entry!.log_masked).toEqual(['/input/context/ticket', '/input/resource/owner']);
    expect(JSON.stringify(entry)).not.toContain('T-secret');
    // Masked before the entry is written: no row and no shared blob (compact entries) holds it.
    const stored = [
      ...(await server.runtime.store.db.selectFrom('audit_entries').select(['details as text']).execute()),
      ...(await server.runtime.store.db.selectFrom('audit_blobs').select(['body as text']).execute()),
    ];
    expect(stored.some((row) => row.text.includes('T-secret'))).toBe(false);
    // A path that is not there is not reported as masked.
    const plain = await decide(read({}));
    expect((await logged(plain.decision_id))[0]).not.toHaveProperty('log_masked');
  });

  it('drops an allow, never a deny, an approval_required or an errored decision', async () => {
    const allow = await decide(read({ drop_me: true }));
    expect(allow.decision).toBe('allow');
    expect(await logged(allow.decision_id)).toEqual([]);

    const deny = await decide(read({ drop_me: true }, 'bob@example.com'));
    expect(deny.decision).toBe('deny');
    const approval = await decide({ action: 'delete', tool: 'files-api:files.delete', resource: { type: 'files', id: 'f1', owner: 'alice@example.com', sensitivity: 'internal' }, context: { drop_me: true } });
    expect(approval.decision).toBe('approval_required');
    const errored = await decide(read({ drop_me: true, boom: true }));
    expect(errored).toMatchObject({ decision: 'deny', reasons: ['policy_error'] });
    for (const d of [deny, approval, errored]) {
      const entries = await logged(d.decision_id);
      expect(entries, d.decision).toHaveLength(1);
      expect(entries[0]).toMatchObject({ decision: d.decision, log_drop_refused: true, input: { context: { drop_me: true } } });
    }
    expect((await logged(errored.decision_id))[0]!.policy_error).toBeTruthy();
  });

  it('a failing log rule keeps the entry but removes its whole input and says why', async () => {
    for (const context of [{ bad_mask: true }, { bad_mask: true, drop_me: true }]) {
      const d = await decide(read(context));
      const [entry] = await logged(d.decision_id);
      expect(entry).toMatchObject({ decision: 'allow', decision_id: d.decision_id });
      expect(entry).not.toHaveProperty('input');
      expect(entry!.log_policy_error).toMatch(/system\.log\.mask entry 42/);
    }
  });

  it('what-if replay of a masked entry sees the input without the masked field', async () => {
    const masked = await decide(read({ needs_ticket: true, ticket: 'T-2' }));
    const kept = await decide(read({ label: 'L-1' }));
    expect([masked.decision, kept.decision]).toEqual(['allow', 'allow']);
    // The candidate denies on a ticket or a label: the masked decision had a ticket, its entry has not.
    const candidate = 'package mandate.authz\n\ndeny contains "seen" if input.context.ticket\n\ndeny contains "seen" if input.context.label\n';
    const res = await server.api('POST', '/v1/policies/replay', { modules: { 'seen.rego': candidate }, since: '24h' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const changed = new Map<string, string[]>(res.body.changed.map((c: { decision_id: string; reasons_after: string[] }) => [c.decision_id, c.reasons_after]));
    expect(changed.get(kept.decision_id)).toEqual(['seen']);
    // Replay never sees a masked field: not the candidate's "seen", and the active rule that
    // needed the ticket now finds none — a masked field the decision used changes its replay.
    expect(changed.get(masked.decision_id)).toEqual(['ticket_required']);
  });
});
