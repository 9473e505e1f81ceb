import type { AuditLog } from '../audit/log.js';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../storage/database.js';
import { ApprovalService } from './service.js';
import { WebhookNotifier } from './webhook.js';

export interface ApprovalsSetup {
  config: Config;
  store: Store;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  onClose(task: () => Promise<void> | void): void;
}

/**
 * Builds the approval service for the runtime: the webhook notifier when configured, and the
 * expiry sweep.
 */
export function createApprovals({ config, store, audit, clock, logger, onClose }: ApprovalsSetup): ApprovalService {
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
      { clock, audit, logger },
    );
  }
  const service = new ApprovalService({ store, audit, clock, settings, notifier });
  const sweep = setInterval(() => {
    service.sweepExpired().catch((error: unknown) => logger.error({ err: error }, 'approval expiry sweep failed'));
  }, settings.sweepIntervalSeconds * 1000);
  sweep.unref();
  onClose(async () => {
    clearInterval(sweep);
    service.releaseWaits();
    await notifier?.close();
  });
  return service;
}
