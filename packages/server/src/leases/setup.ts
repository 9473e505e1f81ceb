import type { Foundation } from '../foundation.js';
import { LeaseManager } from './service.js';

/**
 * Builds the lease manager with its timed work on the scheduler:
 *
 * | job | kind | what |
 * |---|---|---|
 * | `leases.expiry` | periodic, singleton | revokes leases past expiry and retries failed revocations (backoff), every `secrets.leaseSweepIntervalMs` |
 *
 * The first run comes at once: leases a stopped or killed process left behind are revoked as
 * soon as the server is back, not one interval later.
 */
export function createLeases({ config, store, audit, envelope, clock, logger, scheduler }: Pick<Foundation, 'config' | 'store' | 'audit' | 'envelope' | 'clock' | 'logger' | 'scheduler'>): LeaseManager {
  const s = config.secrets;
  const leases = new LeaseManager({
    store,
    audit,
    envelope,
    clock,
    logger,
    settings: {
      revocationBackoffMs: s.revocationBackoffMs,
      revocationBackoffMaxMs: s.revocationBackoffMaxMs,
      revocationAlertAfterFailures: s.revocationAlertAfterFailures,
      maxLeasesPerAgent: s.maxLeasesPerAgent,
    },
  });
  scheduler.every({ name: 'leases.expiry', everyMs: s.leaseSweepIntervalMs, firstRunInMs: 0, singleton: true, run: () => leases.sweep() });
  return leases;
}
