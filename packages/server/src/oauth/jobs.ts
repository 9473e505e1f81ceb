import type { JobHandle, Scheduler } from '../scheduler/index.js';
import type { SigningKeys } from './keys/signing-keys.js';
import type { SeenJtis } from './replay.js';
import type { Revocations } from './revocation.js';

/**
 * How often each replica reloads the signing keys: well inside the publish delay, so every
 * replica knows a new key before it signs (keys/signing-keys.ts).
 */
const KEY_MAINTENANCE_MS = 30_000;
/** Replay and revocation state outlives its use by at most this much. */
const PRUNE_MS = 5 * 60_000;

/**
 * OAuth's periodic work on the one scheduler (the feed's head watcher is a deadline of
 * revocation.ts). Key rotation and pruning change shared rows, so one replica does them for
 * all (singleton); every replica reloads the keys it signs and verifies with. Returns the
 * handles, for cancelling at stop.
 */
export function scheduleOAuthJobs(scheduler: Scheduler, parts: { keys: SigningKeys; seen: SeenJtis; revocations: Revocations; peopleGrants: () => Promise<void> }): JobHandle[] {
  const { keys, seen, revocations, peopleGrants } = parts;
  return [
    // maintain() applies the rotation plan under a lock, then reloads.
    scheduler.every({ name: 'oauth.signing-keys', everyMs: KEY_MAINTENANCE_MS, singleton: true, run: () => keys.maintain() }),
    scheduler.every({ name: 'oauth.signing-keys.reload', everyMs: KEY_MAINTENANCE_MS, run: () => keys.reload() }),
    scheduler.every({ name: 'oauth.prune', everyMs: PRUNE_MS, singleton: true, run: () => Promise.all([seen.prune(), revocations.prune(), peopleGrants()]) }),
  ];
}
