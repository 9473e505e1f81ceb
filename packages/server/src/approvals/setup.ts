import { ConfigError } from '../config/load.js';
import type { Foundation } from '../foundation.js';
import { deadlineSleep } from './deadline-sleep.js';
import type { AgentOwnerLookup } from './deps.js';
import { ApprovalService } from './service.js';
import { WebhookNotifier } from './webhook.js';

export interface ApprovalsSetup extends Pick<Foundation, 'config' | 'store' | 'audit' | 'clock' | 'logger' | 'scheduler'> {
  onClose(task: () => Promise<void> | void): void;
  /** An agent's current owner (the registry's), for separation of duties. */
  agentOwner?: AgentOwnerLookup | undefined;
}

/**
 * Builds the approval service for the runtime, with its timed work on the scheduler:
 *
 * | job | kind | what |
 * |---|---|---|
 * | `approvals.expiry` | periodic, singleton | records overdue requests as expired, every `sweepIntervalSeconds` (one replica does it for all) |
 * | `approvals.parked-poll` | deadline, every replica (PostgreSQL) | re-reads the rows of parked long-polls (wait.ts) |
 * | `approvals.webhook-retry` | deadline (webhook configured) | the backoff between delivery attempts (deadline-sleep.ts) |
 * | `approvals.webhook-resend` | periodic, singleton (webhook configured) | sends again, every minute, pending requests whose delivery a stopped process never finished (webhook-resend.ts) |
 */
export function createApprovals({ config, store, audit, clock, logger, scheduler, onClose, agentOwner }: ApprovalsSetup): ApprovalService {
  const settings = config.approvals;
  let notifier: WebhookNotifier | undefined;
  if (settings.webhookUrl) {
    // loadConfig refuses a URL without a secret; this guards runtimes built from other configs.
    if (!settings.webhookSecret) throw new ConfigError('approvals.webhookSecret is required when approvals.webhookUrl is set');
    notifier = new WebhookNotifier(
      {
        url: settings.webhookUrl,
        secret: settings.webhookSecret,
        attempts: settings.webhookAttempts,
        backoffMs: settings.webhookBackoffMs,
        timeoutMs: settings.webhookTimeoutMs,
      },
      // Each delivery keeps its own backoff loop (its attempt count and delay are its own
      // state), but the waits are one scheduler deadline: listed, and dead once it stops.
      { clock, audit, logger, sleep: deadlineSleep(scheduler, 'approvals.webhook-retry') },
    );
  }
  const service = new ApprovalService({ store, audit, clock, scheduler, settings, notifier, agentOwner });
  scheduler.every({
    name: 'approvals.expiry',
    everyMs: settings.sweepIntervalSeconds * 1000,
    singleton: true,
    run: () => service.sweepExpired(),
  });
  if (notifier) scheduler.every({ name: 'approvals.webhook-resend', everyMs: 60_000, singleton: true, run: () => service.resendUnnotified() });
  onClose(async () => {
    service.releaseWaits();
    // Aborts in-flight attempts and the backoff waits the stopped scheduler will not end.
    await notifier?.close();
  });
  return service;
}
