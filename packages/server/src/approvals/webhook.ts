import { createHmac } from 'node:crypto';
import type { AuditLog } from '../audit/index.js';
import { constantTimeEqual } from '../crypto/index.js';
import { epochSeconds, isoTime, type Clock } from '../shared/clock.js';
import { randomId } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { Sleep } from './deadline-sleep.js';
import type { Approval } from './types.js';
import { approvalView } from './view.js';

/**
 * Tells humans about each new approval request: a JSON POST to `approvals.webhookUrl`,
 * signed like Stripe's webhooks so receivers can check it came from Mandate and is fresh
 * (the monitoring context sends its alerts through this same notifier, `send`):
 *
 *   X-Mandate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * Delivery never blocks the request that created the approval: `deliver` starts it in the
 * background. A non-2xx answer, a network error or a timeout is retried with exponential
 * backoff (`backoffMs`, doubling) up to `attempts` tries in all; each attempt is audited as
 * `approval.notified` or `approval.notify_failed`. Redirects are not followed (a 3xx fails).
 */
export const SIGNATURE_HEADER = 'x-mandate-signature';
export const EVENT_HEADER = 'x-mandate-event';
export const DELIVERY_HEADER = 'x-mandate-delivery';

export interface WebhookSettings {
  url: string;
  secret: string;
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
}

export interface WebhookDependencies {
  clock: Clock;
  audit: AuditLog;
  logger?: Logger | undefined;
  /**
   * Waits between attempts. The runtime's is the scheduler's `approvals.webhook-retry` deadline
   * (deadline-sleep.ts: visible in GET /v1/jobs, stopped with the scheduler); tests may pass one
   * that returns at once (and records the delays).
   */
  sleep: Sleep;
  fetch?: typeof fetch | undefined;
}

export function signatureHeader(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/**
 * What a receiver does (and docs/approvals.md shows): recompute the HMAC over `<t>.<raw body>`,
 * compare in constant time, and refuse timestamps older than the tolerance (replays).
 */
export function verifySignatureHeader(secret: string, header: string, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = new Map<string, string[]>();
  for (const piece of header.split(',')) {
    const eq = piece.indexOf('=');
    if (eq <= 0) continue;
    const key = piece.slice(0, eq).trim();
    parts.set(key, [...(parts.get(key) ?? []), piece.slice(eq + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = signatureHeader(secret, t, body).split('v1=')[1]!;
  return (parts.get('v1') ?? []).some((candidate) => constantTimeEqual(candidate, expected));
}

/** One event to deliver: its type, the audit entries each attempt writes, what it is about. */
export interface WebhookMessage {
  /** `type` of the body and the X-Mandate-Event header, e.g. `approval.requested`. */
  event: string;
  /** The body's payload key and value (`approval: {...}`, `alert: {...}`). */
  payload: Record<string, unknown>;
  /** Audit entry types of a delivered and a failed attempt. */
  audit: { delivered: string; failed: string; actor: string };
  subject: string;
  agentId: string;
  /** Runs once the delivery is over (delivered or given up), not when shutdown cut it short. */
  finished?: (() => Promise<void>) | undefined;
}

export class WebhookNotifier {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  private readonly target: string;

  constructor(
    private readonly settings: WebhookSettings,
    private readonly deps: WebhookDependencies,
  ) {
    // Only the host goes into audit entries: paths of hook URLs often embed a token.
    this.target = new URL(settings.url).host;
  }

  /** Starts delivery of an approval request in the background and returns at once. */
  deliver(approval: Approval, finished?: () => Promise<void>): void {
    this.send({
      finished,
      event: 'approval.requested',
      payload: { approval: approvalView(approval) },
      audit: { delivered: 'approval.notified', failed: 'approval.notify_failed', actor: 'approvals-webhook' },
      subject: approval.id,
      agentId: approval.agentId,
    });
  }

  /** Starts delivery of any event in the background and returns at once. */
  send(message: WebhookMessage): void {
    if (this.closing.signal.aborted) return;
    const job = this.run(message).catch((error: unknown) => {
      this.deps.logger?.error({ err: error, event: message.event, subject: message.subject }, 'webhook delivery crashed');
    });
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
  }

  /** The longest one delivery can run: every attempt timing out, and the waits between them. */
  longestDeliveryMs(): number {
    const { attempts, backoffMs, timeoutMs } = this.settings;
    return attempts * timeoutMs + backoffMs * (2 ** Math.max(0, attempts - 1) - 1);
  }

  /** Resolves when every delivery started so far has finished (succeeded or given up). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Stops retries and in-flight attempts (shutdown). */
  async close(): Promise<void> {
    this.closing.abort();
    await this.idle();
  }

  private async run(message: WebhookMessage): Promise<void> {
    const { attempts, backoffMs } = this.settings;
    const deliveryId = randomId('whd', 12);
    const body = JSON.stringify({
      type: message.event,
      delivery_id: deliveryId,
      sent_at: isoTime(this.deps.clock.now()),
      ...message.payload,
    });
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (this.closing.signal.aborted) return;
      const outcome = await this.attempt(message.event, body, deliveryId);
      const last = attempt === attempts;
      const delay = backoffMs * 2 ** (attempt - 1);
      await this.deps.audit.append({
        type: outcome.ok ? message.audit.delivered : message.audit.failed,
        actor: { kind: 'system', id: message.audit.actor },
        subject: message.subject,
        agentId: message.agentId,
        action: 'notify',
        outcome: outcome.ok ? 'success' : 'failure',
        details: {
          channel: 'webhook',
          target: this.target,
          delivery_id: deliveryId,
          attempt,
          ...(outcome.status !== undefined ? { status: outcome.status } : {}),
          ...(outcome.error ? { error: outcome.error } : {}),
          ...(!outcome.ok ? (last ? { gave_up: true } : { retry_in_ms: delay }) : {}),
        },
      });
      if (outcome.ok) return message.finished?.();
      if (last) {
        this.deps.logger?.warn({ event: message.event, subject: message.subject, attempts }, 'webhook gave up');
        return message.finished?.();
      }
      try {
        await this.deps.sleep(delay, this.closing.signal);
      } catch {
        return; // closing
      }
    }
  }

  private async attempt(event: string, body: string, deliveryId: string): Promise<{ ok: boolean; status?: number; error?: string }> {
    const t = epochSeconds(this.deps.clock.now());
    const doFetch = this.deps.fetch ?? fetch;
    try {
      const response = await doFetch(this.settings.url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Mandate-Webhook/1',
          [EVENT_HEADER]: event,
          [DELIVERY_HEADER]: deliveryId,
          [SIGNATURE_HEADER]: signatureHeader(this.settings.secret, t, body),
        },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.settings.timeoutMs), this.closing.signal]),
      });
      // Drain the body so the connection can be reused; its content does not matter.
      await response.arrayBuffer().catch(() => undefined);
      return { ok: response.status >= 200 && response.status < 300, status: response.status };
    } catch (error) {
      const err = error as Error & { cause?: { code?: string } };
      return { ok: false, error: err.name === 'TimeoutError' ? 'timeout' : (err.cause?.code ?? err.name) };
    }
  }
}
