import type { Foundation } from '../foundation.js';
import type { OperatorService } from '../operators/index.js';
import { FailedAttempts } from './attempts.js';
import { SigninService } from './service.js';

/** Ended sessions are looked for and deleted this often. */
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Builds the signin context with its timed work:
 *
 * | job | kind | what |
 * |---|---|---|
 * | `signin.prune` | periodic, singleton | deletes sessions that ended a week ago, hourly |
 */
export function createSignin({ config, store, audit, clock, scheduler }: Pick<Foundation, 'config' | 'store' | 'audit' | 'clock' | 'scheduler'>, operators: OperatorService): SigninService {
  const s = config.signin;
  const signin = new SigninService({
    store,
    audit,
    clock,
    operators,
    failures: new FailedAttempts(s.failedAttemptsPerMinute),
    settings: { ttlSeconds: s.sessionTtlSeconds, idleSeconds: s.sessionIdleSeconds, issuerOrigin: new URL(config.issuer).origin, returnToMaxLength: s.returnToMaxLength },
  });
  scheduler.every({ name: 'signin.prune', everyMs: PRUNE_EVERY_MS, singleton: true, run: async () => void (await signin.prune()) });
  return signin;
}
