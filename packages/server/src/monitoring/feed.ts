import type { AuditEntry } from '../audit/index.js';
import type { DecisionEvent, MonitorEvent } from './events.js';

/**
 * Turns committed audit entries into monitor events. The audit log is where every context
 * already reports what agents do — token issuance and refusals (oauth/), decisions (the policy
 * decision point), failed authentications — each with the sequence number an alert must cite,
 * after commit, through the one hook its face offers (`AuditLogOptions.onAppended`). So the
 * monitor reads no other context's table and adds no hook to each: one table below maps entry
 * types to events, reading only fields docs/oauth.md and docs/policies.md document. O(1) per
 * entry; entries of other types are skipped by one map lookup.
 */
type Translate = (entry: AuditEntry, atMs: number) => MonitorEvent | null;

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

const NONE: readonly string[] = [];

/** The array itself when every item is a string (no copy on the hot path), else no items. */
function strings(value: unknown): readonly string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : NONE;
}

const tokenIssued: Translate = (entry, atMs) => {
  if (!entry.agentId) return null;
  const d = entry.details;
  const count = typeof d.count === 'number' && d.count > 0 ? d.count : 1;
  const scopes = (text(d.scope) ?? '').split(' ').filter((s) => s !== '');
  return { kind: 'token', agentId: entry.agentId, atMs, seq: entry.seq, count, scopes };
};

/**
 * A refused token request counts against the agent when its client authentication failed
 * (`invalid_client`): the agent is known when it authenticated (a status refusal), else the
 * presented client_id is the agent id (registry: client_id = agent id). Ids of no agent are
 * dropped by the service (it asks `isAgent`), so guessed ids cannot grow the monitor's state.
 */
const tokenRefused: Translate = (entry, atMs) => {
  const d = entry.details;
  if (d.error !== 'invalid_client') return null;
  const agentId = entry.agentId ?? text(d.client_id);
  return agentId ? { kind: 'auth_failure', agentId, atMs, seq: entry.seq } : null;
};

const DECISIONS = new Set(['allow', 'deny', 'approval_required']);

/**
 * A decision the agent asked for. Its fields come from the logged input document
 * (docs/policies.md "The input document"): `tool`, `agent.tools`, `user.id` (the user the
 * agent acts for), `resource.owner`, and `delegation.depth` — the delegation signal's field.
 */
const decision: Translate = (entry, atMs) => {
  if (!entry.agentId) return null; // an invalid token: no agent to judge (the caller's refusal)
  const d = entry.details;
  const kind = text(d.decision);
  if (kind === null || !DECISIONS.has(kind)) return null;
  const input = record(d.input);
  const depth = record(input.delegation).depth;
  return {
    kind: 'decision',
    agentId: entry.agentId,
    atMs,
    seq: entry.seq,
    decision: kind as DecisionEvent['decision'],
    tool: text(input.tool) ?? '',
    declaredTools: strings(record(input.agent).tools),
    actingFor: text(record(input.user).id),
    resourceOwner: text(record(input.resource).owner),
    // Always set (undefined when unknown): one object shape for every decision event.
    depth: typeof depth === 'number' && Number.isInteger(depth) && depth >= 0 ? depth : undefined,
  };
};

/** Audit entry type → the monitor event it makes (types from docs/audit.md). */
export const FEED: ReadonlyMap<string, Translate> = new Map([
  ['oauth.token.issued', tokenIssued],
  ['oauth.token.refused', tokenRefused],
  ['policy.decision', decision],
]);

/** The last entry time parsed: entries of one committed batch share their time (audit/log.ts). */
let lastTime = '';
let lastMs = Number.NaN;

function timeOf(entry: AuditEntry): number {
  if (entry.time !== lastTime) {
    lastTime = entry.time;
    lastMs = Date.parse(entry.time);
  }
  return lastMs;
}

export function monitorEventOf(entry: AuditEntry): MonitorEvent | null {
  const translate = FEED.get(entry.type);
  if (!translate) return null;
  const atMs = timeOf(entry);
  return Number.isNaN(atMs) ? null : translate(entry, atMs);
}
