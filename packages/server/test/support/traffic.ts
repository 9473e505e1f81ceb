/**
 * A traffic generator for the monitor (tests and the benchmark): deterministic (seeded), on a
 * frozen clock (every event carries its own time), shaped like a working day: each agent has
 * its own rate, busier in office hours, a few tools it uses, mostly its own user's data, and
 * rare denials and failed authentications. Anomalies are injected on top by the tests.
 */
import type { DecisionEvent, MonitorEvent } from '../../src/monitoring/index.js';

/** mulberry32: a small seeded PRNG, so every run of a test sees the same traffic. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Poisson draw (Knuth's method; the means here are small). */
export function poisson(random: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k += 1;
    p *= random();
  }
  return k;
}

export interface SimulatedAgent {
  id: string;
  user: string;
  tools: string[];
  /** Mean decisions per minute at the busiest hour. */
  peakPerMinute: number;
  /** Share of actions on other users' resources (shared-service agents). */
  crossUserShare: number;
  /** Delegation depth of its tokens (0: its own). */
  depth: number;
}

export function simulatedAgents(count: number, random: () => number): SimulatedAgent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `agent-${String(i).padStart(6, '0')}`,
    user: `user-${i}@example.com`,
    tools: ['files-api:files.get', 'files-api:files.list', 'calendar-api:events.list'],
    peakPerMinute: 0.05 + random() * 3,
    crossUserShare: i % 20 === 0 ? 0.3 : 0,
    depth: i % 10 === 0 ? 1 + (i % 3) : 0,
  }));
}

/** Office hours are busy, nights quiet (a smooth day curve between 0.1 and 1). */
export function dayShape(minuteOfDay: number): number {
  return 0.55 - 0.45 * Math.cos(((minuteOfDay - 120) / 1440) * 2 * Math.PI);
}

export const MINUTE = 60_000;

let nextSeq = 1;
export function seq(): number {
  return nextSeq++;
}

export function decision(agent: SimulatedAgent, atMs: number, overrides: Partial<DecisionEvent> = {}): DecisionEvent {
  return {
    kind: 'decision',
    agentId: agent.id,
    atMs,
    seq: seq(),
    decision: 'allow',
    tool: agent.tools[0]!,
    declaredTools: agent.tools,
    actingFor: agent.user,
    resourceOwner: agent.user,
    ...(agent.depth > 0 ? { depth: agent.depth } : {}),
    ...overrides,
  };
}

/**
 * One minute of normal traffic for one agent: its decisions (mostly the first tool, sometimes
 * the others; 2 % denied), a token every ten minutes, a failed authentication once in a while.
 */
export function normalMinute(agent: SimulatedAgent, minute: number, startMs: number, random: () => number): MonitorEvent[] {
  const atMs = startMs + minute * MINUTE;
  const events: MonitorEvent[] = [];
  if (minute % 10 === (agent.id.length + Number(agent.id.slice(-2))) % 10) {
    events.push({ kind: 'token', agentId: agent.id, atMs, seq: seq(), count: 1, scopes: ['files.read'] });
  }
  if (random() < 0.001) events.push({ kind: 'auth_failure', agentId: agent.id, atMs, seq: seq() });
  const n = poisson(random, agent.peakPerMinute * dayShape(minute % 1440));
  for (let i = 0; i < n; i += 1) {
    const pick = random();
    const tool = pick < 0.8 ? agent.tools[0]! : pick < 0.95 ? agent.tools[1]! : agent.tools[2]!;
    const foreign = random() < agent.crossUserShare;
    events.push(
      decision(agent, atMs + i, {
        tool,
        decision: random() < 0.02 ? 'deny' : 'allow',
        resourceOwner: foreign ? `user-${Math.floor(random() * 1e6)}@example.com` : agent.user,
      }),
    );
  }
  return events;
}
