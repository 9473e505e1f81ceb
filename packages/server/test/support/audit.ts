import { expect } from 'vitest';
import type { TestServer } from './server.js';
import type { AuditEntry } from '../../src/audit/index.js';

/**
 * The audit log's head seq, after checking that the whole chain verifies: suites compare it
 * before and after a refused request to prove the refusal wrote nothing.
 */
export async function auditHead(server: TestServer): Promise<number> {
  const { body } = await server.api('GET', '/v1/audit/verify');
  expect(body.ok).toBe(true);
  return body.head.seq as number;
}

/**
 * The `policy.decision` entries of one decision as readers see them (a compact entry rebuilt
 * from its base: src/audit/compact.ts), after the group commit has written them.
 */
export async function loggedDecisions(server: TestServer, decisionId: string): Promise<AuditEntry[]> {
  await server.runtime.audit.flush();
  return (await server.runtime.auditReader.page({ type: 'policy.decision', subject: decisionId }, 10)).entries;
}

/** The one `policy.decision` entry of a decision (throws when there is none). */
export async function loggedDecision(server: TestServer, decisionId: string): Promise<AuditEntry> {
  const [entry] = await loggedDecisions(server, decisionId);
  if (!entry) throw new Error(`no policy.decision entry for ${decisionId}`);
  return entry;
}
