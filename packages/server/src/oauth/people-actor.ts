import type { Actor } from '../audit/index.js';

/** The audit actor for a signed-in person (their email is their user id, as in their tokens' `sub`). */
export const personActor = (userId: string): Actor => ({ kind: 'person', id: userId });
