/**
 * Issue 10 item 6: a decision, the approval change it makes and its log entry are one unit.
 * A failure is injected at each write of the joint transaction — a database trigger that
 * raises, on SQLite and PostgreSQL alike, so the real statement fails inside the real
 * transaction — and each time the caller gets 500 and nothing is half-written: no request
 * without its decision entry, no decision entry without its request, no approval spent by a
 * decision that was not logged. Then, with the trigger gone, the same request completes.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { askDecision, operatorToken, policyAgent, startOAuthServer } from './support.js';
import { loggedDecision } from '../support/audit.js';

/** One write of the joint transaction, and how to make it fail. */
interface Step {
  name: string;
  table: 'approvals' | 'audit_entries' | 'audit_head';
  event: 'INSERT' | 'UPDATE';
  /** A condition on NEW (same text in both dialects), or none. */
  when?: string;
}

const creating: Step[] = [
  { name: 'the approval request row', table: 'approvals', event: 'INSERT' },
  { name: 'the decision entry', table: 'audit_entries', event: 'INSERT', when: "NEW.type = 'policy.decision'" },
  { name: 'the approval.requested entry', table: 'audit_entries', event: 'INSERT', when: "NEW.type = 'approval.requested'" },
  { name: 'the log head', table: 'audit_head', event: 'UPDATE' },
];

const spending: Step[] = [
  { name: 'the approval marked used', table: 'approvals', event: 'UPDATE', when: "NEW.status = 'used'" },
  { name: 'the decision entry', table: 'audit_entries', event: 'INSERT', when: "NEW.type = 'policy.decision'" },
  { name: 'the approval.used entry', table: 'audit_entries', event: 'INSERT', when: "NEW.type = 'approval.used'" },
  { name: 'the log head', table: 'audit_head', event: 'UPDATE' },
];

describe.each(storeKinds())('decision, approval and log entry as one unit (issue 10 item 6) on %s', (kind) => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
  let token: string;
  let approver: string;

  const deleteFile = (id: string, extra: Record<string, unknown> = {}) => ({
    action: 'delete',
    tool: 'files-api:files.delete',
    resource: { type: 'files', id, owner: 'alice@example.com', sensitivity: 'internal' },
    ...extra,
  });
  const run = (text: string) => sql.raw(text).execute(server.runtime.store.db);

  async function failing<T>(step: Step, work: () => Promise<T>): Promise<T> {
    const condition = step.when ? (kind === 'sqlite' ? ` WHEN ${step.when}` : ` WHEN (${step.when})`) : '';
    if (kind === 'sqlite') {
      await run(`CREATE TRIGGER inject_failure BEFORE ${step.event} ON ${step.table} FOR EACH ROW${condition} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    } else {
      await run(`CREATE TRIGGER inject_failure BEFORE ${step.event} ON ${step.table} FOR EACH ROW${condition} EXECUTE FUNCTION inject_failure()`);
    }
    try {
      return await work();
    } finally {
      await run(kind === 'sqlite' ? 'DROP TRIGGER inject_failure' : `DROP TRIGGER inject_failure ON ${step.table}`);
    }
  }

  /** What the unit writes: approval rows by status, and the log's entries by type. */
  async function written() {
    const db = server.runtime.store.db;
    const approvals = await db.selectFrom('approvals').select(['status']).execute();
    const entries = await db.selectFrom('audit_entries').select(['type']).execute();
    const count = (rows: { [k: string]: unknown }[], key: string, value: string) => rows.filter((r) => r[key] === value).length;
    return {
      pending: count(approvals, 'status', 'pending'),
      approved: count(approvals, 'status', 'approved'),
      used: count(approvals, 'status', 'used'),
      decisions: count(entries, 'type', 'policy.decision'),
      requested: count(entries, 'type', 'approval.requested'),
      spent: count(entries, 'type', 'approval.used'),
    };
  }

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
    if (kind === 'postgres') {
      await run("CREATE FUNCTION inject_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$");
    }
    const agent = await policyAgent(server, { name: `unit bot ${kind}` });
    token = await agent.token();
    approver = await operatorToken(server, `unit-approver-${kind}`, ['approver']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each(creating)('a failure writing $name leaves neither the decision entry nor the request', async (step) => {
    const request = deleteFile(`create-${step.table}-${step.event}-${step.when ?? ''}.txt`);
    const before = await written();
    const res = await failing(step, () => server.api('POST', '/v1/authorize', request, { token }));
    expect(res.status, JSON.stringify(res.body)).toBe(500);
    expect(await written()).toEqual(before);
    expect((await server.api('GET', '/v1/audit/verify')).body.ok).toBe(true);

    // Nothing stayed behind: the same request now creates its request and entry together.
    const asked = await askDecision(server, token, request);
    expect(asked).toMatchObject({ decision: 'approval_required', approval_id: expect.stringMatching(/^apr_/) });
    expect(await written()).toEqual({ ...before, pending: before.pending + 1, decisions: before.decisions + 1, requested: before.requested + 1 });
    const approval = await server.api('GET', `/v1/approvals/${asked.approval_id}`);
    const decisionId = approval.body.context.decision_id as string;
    const entry = await loggedDecision(server, decisionId);
    // The entry names the request it created (they were written together).
    expect(entry.details).toMatchObject({ decision: 'approval_required', approval_requested: true, approval_id: asked.approval_id });
  });

  it.each(spending)('a failure writing $name leaves the approval unspent and no decision logged', async (step) => {
    const request = deleteFile(`spend-${step.table}-${step.event}-${step.when ?? ''}.txt`);
    const asked = await askDecision(server, token, request);
    const approved = await server.api('POST', `/v1/approvals/${asked.approval_id}/approve`, {}, { token: approver });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const presented = { ...request, approval_id: asked.approval_id };
    const before = await written();
    const res = await failing(step, () => server.api('POST', '/v1/authorize', presented, { token }));
    expect(res.status, JSON.stringify(res.body)).toBe(500);
    expect(await written()).toEqual(before);
    expect((await server.api('GET', `/v1/approvals/${asked.approval_id}`)).body.status).toBe('approved');
    expect((await server.api('GET', '/v1/audit/verify')).body.ok).toBe(true);

    // The approval was not lost: presented again it is spent once, with its decision logged.
    expect(await askDecision(server, token, presented)).toMatchObject({ decision: 'allow', approval_id: asked.approval_id });
    expect(await written()).toEqual({ ...before, approved: before.approved - 1, used: before.used + 1, decisions: before.decisions + 1, spent: before.spent + 1 });
  });

  it('answers a plain decision through the group commit, untouched by a failing approvals table', async () => {
    const before = await written();
    const res = await failing({ name: 'any approval', table: 'approvals', event: 'INSERT' }, () =>
      server.api('POST', '/v1/authorize', { action: 'read', tool: 'files-api:files.get', resource: { type: 'files', id: 'a.txt', owner: 'alice@example.com', sensitivity: 'internal' } }, { token }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.decision).toBe('allow');
    expect(await written()).toEqual({ ...before, decisions: before.decisions + 1 });
  });
});
