import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../config/defaults.js';
import { decision, MINUTE, normalMinute, seeded, seq, simulatedAgents, type SimulatedAgent } from '../../test/support/traffic.js';
import { AgentMonitor, type Anomaly } from './monitor.js';
import type { MonitorSettings } from './settings.js';

const settings = structuredClone(DEFAULTS.monitoring) as unknown as MonitorSettings;
const DAY_MINUTES = 1440;
/** 2026-12-01T00:00:00Z: the frozen clock every event is stamped from. */
const START = Date.UTC(2026, 11, 1);

/** Two days of one agent's normal traffic (past every warm-up but the 24 h window's); returns the monitor and the next minute. */
function warmedUp(agent: SimulatedAgent, random = seeded(7)): { monitor: AgentMonitor; minute: number } {
  const monitor = new AgentMonitor(settings);
  const raised: Anomaly[] = [];
  for (let minute = 0; minute < 2 * DAY_MINUTES; minute += 1) {
    for (const event of normalMinute(agent, minute, START, random)) raised.push(...monitor.observe(event));
  }
  expect(raised).toEqual([]);
  return { monitor, minute: 2 * DAY_MINUTES + 600 }; // 10:00 on day three
}

const agent: SimulatedAgent = { id: 'agent-cal-prod-001', user: 'jane@example.com', tools: ['files-api:files.get', 'files-api:files.list', 'calendar-api:events.list'], peakPerMinute: 2, crossUserShare: 0, depth: 1 };

function only(anomalies: Anomaly[], signal: string): Anomaly[] {
  return anomalies.filter((a) => a.signal === signal);
}

describe('the six anomalies, each on a warmed-up agent with a frozen clock', () => {
  it('authentication frequency: 200 tokens in a minute', () => {
    const { monitor, minute } = warmedUp(agent);
    const at = START + minute * MINUTE;
    const found = Array.from({ length: 200 }, (_, i) => monitor.observe({ kind: 'token', agentId: agent.id, atMs: at + i, seq: seq(), count: 1, scopes: ['files.read'] })).flat();
    const alert = only(found, 'auth_frequency');
    expect(alert.map((a) => a.window)).toContain('1m');
    expect(alert[0]!.observed).toBeGreaterThanOrEqual(settings.signals.auth_frequency.minCount);
    expect(alert[0]!.baseline.mean).toBeLessThan(1);
    expect(alert[0]!.sampleSeqs.length).toBe(5);
    // One alert per window and bucket, plus one escalation: not one per event.
    expect(alert.length).toBeLessThanOrEqual(2 * 3);
  });

  it('permission scope usage: a tool not registered (no warm-up needed), then a first use and a new scope after warm-up', () => {
    const cold = new AgentMonitor(settings);
    const undeclared = cold.observe(decision(agent, START, { tool: 'gmail-api:send' }));
    expect(undeclared).toMatchObject([{ signal: 'scope_usage', severity: 'high', window: 'event' }]);
    expect(cold.observe(decision(agent, START + 1, { tool: 'gmail-api:send' }))).toEqual([]); // once per tool

    const { monitor, minute } = warmedUp({ ...agent, tools: [...agent.tools, 'calendar-api:events.delete'] });
    const at = START + minute * MINUTE;
    const first = monitor.observe(decision(agent, at, { tool: 'calendar-api:events.delete', declaredTools: [...agent.tools, 'calendar-api'] }));
    expect(first).toMatchObject([{ signal: 'scope_usage', severity: 'low', reason: "tool 'calendar-api:events.delete' used for the first time" }]);
    const scope = monitor.observe({ kind: 'token', agentId: agent.id, atMs: at + 1, seq: seq(), count: 1, scopes: ['files.read', 'files.write'] });
    expect(scope).toMatchObject([{ signal: 'scope_usage', reason: "scope 'files.write' used for the first time" }]);
  });

  it("cross-user access: a burst of actions on other users' resources by an agent that never did", () => {
    const { monitor, minute } = warmedUp(agent);
    const at = START + minute * MINUTE;
    const found = Array.from({ length: 20 }, (_, i) => monitor.observe(decision(agent, at + i, { resourceOwner: `victim-${i}@example.com` }))).flat();
    // First at the threshold, then once more when it grows past the escalation z-score.
    expect(only(found, 'cross_user').filter((a) => a.window === '1m').map((a) => [a.window, a.severity])).toEqual([
      ['1m', 'high'],
      ['1m', 'critical'],
    ]);
  });

  it('action velocity: 400 actions in a minute against about 2', () => {
    const { monitor, minute } = warmedUp(agent);
    const at = START + minute * MINUTE;
    const found = Array.from({ length: 400 }, (_, i) => monitor.observe(decision(agent, at + i))).flat();
    expect(only(found, 'action_velocity')[0]).toMatchObject({ window: '1m' });
    expect(only(found, 'action_velocity')[0]!.baseline.mean).toBeLessThan(3);
  });

  it('error rate: a burst of failed authentications, even on an agent still warming up', () => {
    const { monitor, minute } = warmedUp(agent);
    const at = START + minute * MINUTE;
    const found = Array.from({ length: 40 }, (_, i) => monitor.observe({ kind: 'auth_failure', agentId: agent.id, atMs: at + i, seq: seq() })).flat();
    expect(only(found, 'error_rate').filter((a) => a.window === '1m').map((a) => a.severity)).toEqual(['medium', 'high']);

    const cold = new AgentMonitor(settings);
    const burst = Array.from({ length: 30 }, (_, i) => cold.observe({ kind: 'auth_failure', agentId: 'agent-new', atMs: START + i, seq: seq() })).flat();
    expect(burst).toMatchObject([{ signal: 'error_rate', window: '1m', severity: 'high', observed: 30 }]);
  });

  it('delegation depth: a chain deeper than the agent ever used (read from the decision event’s depth)', () => {
    const { monitor, minute } = warmedUp(agent);
    const at = START + minute * MINUTE;
    expect(monitor.observe(decision(agent, at, { depth: 1 }))).toEqual([]);
    expect(monitor.observe(decision(agent, at + 1, { depth: 3 }))).toMatchObject([{ signal: 'delegation_depth', observed: 3, baseline: { mean: 1 } }]);
    expect(monitor.observe(decision(agent, at + 2, { depth: 3 }))).toEqual([]);
  });
});

describe('a normal day for 1,000 agents', () => {
  it('raises at most a stated handful of alerts (the false-positive rate in docs/monitoring.md)', () => {
    const random = seeded(2026);
    const agents = simulatedAgents(1000, random);
    const monitor = new AgentMonitor(settings);
    const raised: Anomaly[] = [];
    let events = 0;
    // Day one warms the baselines up; day two is the day judged.
    for (let minute = 0; minute < 2 * DAY_MINUTES; minute += 1) {
      for (const a of agents) {
        for (const event of normalMinute(a, minute, START, random)) {
          events += 1;
          const found = monitor.observe(event);
          if (minute >= DAY_MINUTES) raised.push(...found);
        }
      }
    }
    const rate = raised.length / agents.length;
    console.log(`normal day: ${events} events, ${raised.length} alerts on day two (${(rate * 100).toFixed(2)} % of agents)`, raised.slice(0, 5).map((a) => `${a.signal}/${a.window}/${a.severity}: ${a.reason}`));
    expect(raised.length).toBeLessThanOrEqual(10);
  });
});

describe('bounded memory', () => {
  it('tracks at most maxAgents agents, dropping the one seen first, and remembers at most maxSeenPerAgent names', () => {
    const monitor = new AgentMonitor({ ...settings, maxAgents: 3, maxSeenPerAgent: 2 });
    for (let i = 0; i < 5; i += 1) monitor.observe({ kind: 'auth_failure', agentId: `agent-${i}`, atMs: START + i, seq: seq() });
    expect(monitor.trackedAgents).toBe(3);
    expect(['agent-0', 'agent-1', 'agent-2', 'agent-3', 'agent-4'].map((id) => monitor.tracks(id))).toEqual([false, false, true, true, true]);

    // Past the cap nothing more is remembered, nor reported as new (the first ones alerted already): the state does not grow.
    const declared = ['files-api'];
    const alerted = ['a:x', 'b:x', 'c:x', 'd:x'].map((tool) => monitor.observe(decision(agent, START + 10, { agentId: 'agent-4', tool, declaredTools: declared })).length);
    expect(alerted).toEqual([1, 1, 0, 0]);
  });
});
