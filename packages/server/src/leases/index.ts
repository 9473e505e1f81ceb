/**
 * The lease manager's face: THE one place credentials Mandate issued are taken back (STYLE.md
 * §9). Engines (databases/) register a `LeaseEngine` and create leases through the
 * `LeaseManager`; it persists each lease with what revocation needs (sealed), revokes it at
 * expiry on the scheduler's `leases.expiry` job (which also finds what a dead process left),
 * retries failed revocations with backoff and raises `revocation failing` (listeners, log,
 * audit) when one keeps failing; renewal never passes the max TTL; revocation by id, agent,
 * task or path prefix, or marked inside another context's transaction (`markIn`, decommission,
 * task end) and carried out after commit (`revokeMarked`). Table and SQL stay inside.
 */
export { LeaseManager, type MarkedLeases } from './service.js';
export type { LeaseManagerOptions } from './deps.js';
export { createLeases } from './setup.js';
export { TooManyLeasesError } from './create.js';
export type { LeaseSettings } from './deps.js';
export type { LeaseSelector } from './store.js';
export type { Lease, LeaseEngine, LeaseStatus, NewLease, RevocationData, RevocationFailing, RevocationFailingListener } from './types.js';
export { leaseView, type LeaseView } from './view.js';
export { leaseMigrations } from './migrations/index.js';
export { rewrapLeases } from './rewrap.js';
