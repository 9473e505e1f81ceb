import { isoTime } from '../shared/clock.js';
import { classificationRank, DATA_CLASSIFICATIONS, isDataClassification, type DataClassification } from '../registry/index.js';
import type { MonitoringDeps } from './deps.js';
import { toolDeclared } from './events.js';

/** What an agent is granted (its registration). */
export interface Grants {
  scopes: readonly string[];
  tools: readonly string[];
  dataClassification: DataClassification;
}

/** The least-privilege report of one agent: grants unused in the window, and the narrowed registration. */
export interface UnusedPermissions {
  agentId: string;
  days: number;
  since: string;
  /** Decisions read from the log, newest first (at most DECISIONS_READ_MAX). */
  decisionsRead: number;
  /** False when the window held more decisions than were read: then "unused" is a lower bound. */
  complete: boolean;
  unused: { scopes: string[]; tools: string[]; dataClassifications: DataClassification[] };
  /** A PATCH /v1/agents/{id} body that keeps only what was used; null when nothing is unused or the read was cut short. */
  suggestedPatch: { scopes?: string[]; tools?: string[]; data_classification?: DataClassification } | null;
}

/** The most decisions one report reads (a bound on its time and memory). */
export const DECISIONS_READ_MAX = 500_000;
/** The longest window a report may cover. */
export const UNUSED_DAYS_MAX = 365;

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * The token scopes an allowed decision used: those covering its action as the default policy
 * reads scopes (`<action>`, `<resource type>:<action>`, `<resource type>:*`); when none does
 * (a policy of one's own reads them otherwise), every scope of the token, so a grant is never
 * reported unused on a guess.
 */
function scopesThatAllowed(input: Record<string, unknown>): string[] {
  const raw = record(input.token).scopes;
  const scopes = Array.isArray(raw) ? raw.filter((s): s is string => typeof s === 'string') : [];
  const action = input.action;
  const type = record(input.resource).type;
  const covering = scopes.filter((s) => s === action || s === `${String(type)}:${String(action)}` || s === `${String(type)}:*`);
  return covering.length > 0 ? covering : scopes;
}

/**
 * What cloud access analyzers report for people, for an agent: from its logged decisions
 * (read through the audit face) in the last `days`, which registered tools it never used
 * (a tool entry is used when a decision named it or, for an API entry, one of its
 * operations), which scopes never allowed an action (scopesThatAllowed), and
 * which data classes above the most sensitive resource it touched it never needed. The
 * suggested patch keeps what was used, in the registration's own order.
 */
export async function unusedPermissions(deps: MonitoringDeps, agentId: string, grants: Grants, days: number): Promise<UnusedPermissions> {
  const since = isoTime(deps.clock.now() - days * 86_400_000);
  const usedTools = new Set<string>();
  const usedScopes = new Set<string>();
  let highestRank = -1;
  let read = 0;
  let complete = true;
  for await (const entry of deps.decisionLog.entries({ type: 'policy.decision', agent: agentId, from: since, order: 'desc' })) {
    if (entry.agentId !== agentId) continue; // the agent as subject of someone else's entry
    if (read >= DECISIONS_READ_MAX) {
      complete = false;
      break;
    }
    read += 1;
    const input = record(entry.details.input);
    if (typeof input.tool === 'string') usedTools.add(input.tool);
    if (entry.details.decision !== 'allow') continue;
    for (const scope of scopesThatAllowed(input)) usedScopes.add(scope);
    const sensitivity = record(input.resource).sensitivity;
    if (typeof sensitivity === 'string' && isDataClassification(sensitivity)) highestRank = Math.max(highestRank, classificationRank(sensitivity));
  }
  const tools = grants.tools.filter((tool) => ![...usedTools].some((used) => toolDeclared(used, [tool])));
  const scopes = grants.scopes.filter((scope) => !usedScopes.has(scope));
  const ceiling = classificationRank(grants.dataClassification);
  // The narrowest ceiling that still covers what was touched (the lowest class when nothing was).
  const needed = DATA_CLASSIFICATIONS[Math.max(highestRank, 0)]!;
  const classes = DATA_CLASSIFICATIONS.filter((c) => c.rank > needed.rank && c.rank <= ceiling).map((c) => c.name);
  const patch: NonNullable<UnusedPermissions['suggestedPatch']> = {};
  if (scopes.length > 0) patch.scopes = grants.scopes.filter((s) => !scopes.includes(s));
  if (tools.length > 0) patch.tools = grants.tools.filter((t) => !tools.includes(t));
  if (classes.length > 0) patch.data_classification = needed.name;
  return {
    agentId,
    days,
    since,
    decisionsRead: read,
    complete,
    unused: { scopes, tools, dataClassifications: classes },
    // Cut short, the report cannot know what the older decisions used: no suggestion then.
    suggestedPatch: complete && Object.keys(patch).length > 0 ? patch : null,
  };
}
