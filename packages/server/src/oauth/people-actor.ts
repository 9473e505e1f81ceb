import type { Actor } from '../audit/index.js';

/**
 * The audit actor for a signed-in person. The audit context has no person kind yet (the signin
 * context brings people); until then a person is an `anonymous` actor whose id says `person:`.
 */
export const personActor = (userId: string): Actor => ({ kind: 'anonymous', id: `person:${userId}` });
