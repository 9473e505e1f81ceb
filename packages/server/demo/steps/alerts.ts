/**
 * Seed, "Monitoring Agent Identity Behavior": a burst of actions (action velocity) raises an
 * alert. Needs the monitoring context (issue 15): skipped until `GET /v1/alerts` has a route.
 *
 * To walk, once it lands: a burst of MCP tool calls (or `/v1/authorize` decisions) from the
 * agent, then `GET /v1/alerts` until the velocity alert for it appears; print signal, observed
 * value and baseline, and acknowledge it (`POST /v1/alerts/{id}/ack`).
 */
import { CAPABILITIES, notWalkedYet } from '../capabilities.js';
import type { DemoStep } from '../context.js';
import { failed, skipped } from '../narrative.js';

export const alertsStep: DemoStep = {
  id: 'alerts',
  title: 'A burst of actions raises an alert',
  async run(ctx) {
    if (!(await CAPABILITIES.alerts.offered(ctx))) return skipped(CAPABILITIES.alerts.name);
    return failed(notWalkedYet(CAPABILITIES.alerts, 'alerts.ts'));
  },
};
