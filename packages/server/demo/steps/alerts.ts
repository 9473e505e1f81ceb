/**
 * Seed, "Monitoring Agent Identity Behavior": action velocity. The assistant fires a burst of MCP
 * tool calls, each one a decision of Mandate's; the monitor, fed by the audit log, raises an
 * action-velocity alert at `GET /v1/alerts` citing sample audit entries, and an admin
 * acknowledges it. The demo's Mandate alerts at 20 decisions a minute (mandate.ts), so the burst
 * takes a second. Needs the monitoring context (issue 15): skipped until `GET /v1/alerts` has a route.
 */
import { CAPABILITIES } from '../capabilities.js';
import { need, OWNER, type DemoStep } from '../context.js';
import { DEMO_BURST_PER_MINUTE, type DemoMandate } from '../mandate.js';
import { failed, ok, skipped } from '../narrative.js';

/** Twice the threshold: whichever minute boundary the burst straddles, one minute holds at least the threshold. */
const BURST = 2 * DEMO_BURST_PER_MINUTE;
/** The monitor judges committed audit entries just after the commit; the alert is written then. */
const ALERT_WAIT_MS = 5_000;
const POLL_MS = 100;

interface Alert {
  id: string;
  signal: string;
  window: string;
  severity: string;
  observed: number;
  reason: string;
  sample_seqs: number[];
  status: string;
}

export const alertsStep: DemoStep = {
  id: 'alerts',
  title: 'A burst of actions raises an alert',
  async run(ctx) {
    if (!(await CAPABILITIES.alerts.offered(ctx))) return skipped(CAPABILITIES.alerts.name);
    const agent = need(ctx.agent, 'the registered agent');
    const client = need(ctx.mcp, 'the connected MCP client');
    const { mandate, narrator } = ctx;

    const started = performance.now();
    for (let call = 0; call < BURST; call += 1) await client.callTool({ name: 'list_events', arguments: { calendar: OWNER } });
    narrator.say(`the assistant calls list_events ${BURST} times in ${Math.round(performance.now() - started)} ms (this demo's Mandate alerts from ${DEMO_BURST_PER_MINUTE} decisions a minute)`);

    const alert = await velocityAlert(mandate.api, agent.id);
    if (!alert) return failed(`no action_velocity alert for ${agent.id} at GET /v1/alerts within ${ALERT_WAIT_MS} ms`);
    narrator.say(`GET /v1/alerts?agent=${agent.id} → ${alert.id}: ${alert.signal} (${alert.window}), severity ${alert.severity}, observed ${alert.observed}: ${alert.reason}`);
    narrator.say(`evidence: audit entries ${alert.sample_seqs.join(', ')} (GET /v1/audit)`);

    const acked = await mandate.api('POST', `/v1/alerts/${alert.id}/ack`, { note: 'a demo burst, not a stolen token' });
    if (acked.status !== 200 || acked.body.status !== 'acknowledged') return failed(`acknowledging answered ${acked.status}: ${JSON.stringify(acked.body)}`);
    narrator.say(`the admin acknowledges it: POST /v1/alerts/${alert.id}/ack → ${acked.body.status}`);
    return ok(`${alert.severity} ${alert.signal} alert ${alert.id} raised by ${alert.observed} decisions in a minute, acknowledged`);
  },
};

async function velocityAlert(api: DemoMandate['api'], agentId: string): Promise<Alert | undefined> {
  const started = performance.now();
  while (performance.now() - started < ALERT_WAIT_MS) {
    const listed = await api<{ items: Alert[] }>('GET', `/v1/alerts?agent=${agentId}&signal=action_velocity`);
    if (listed.status !== 200) throw new Error(`GET /v1/alerts answered ${listed.status}: ${JSON.stringify(listed.body)}`);
    const alert = listed.body.items[0];
    if (alert) return alert;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return undefined;
}
