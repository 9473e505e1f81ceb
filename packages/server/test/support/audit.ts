import { expect } from 'vitest';
import type { TestServer } from './server.js';

/**
 * The audit log's head seq, after checking that the whole chain verifies: suites compare it
 * before and after a refused request to prove the refusal wrote nothing.
 */
export async function auditHead(server: TestServer): Promise<number> {
  const { body } = await server.api('GET', '/v1/audit/verify');
  expect(body.ok).toBe(true);
  return body.head.seq as number;
}
