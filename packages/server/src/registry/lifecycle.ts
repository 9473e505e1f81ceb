import { IllegalTransitionError } from '../shared/errors.js';

/**
 * The agent lifecycle as a state machine (STYLE.md §3: a table, not scattered ifs).
 *
 *   active ⇄ suspended
 *   active | suspended → deprecated → decommissioned (terminal; the record stays)
 *
 * Each status also says whether the agent may obtain new credentials (tokens,
 * certificates, database credentials): other contexts ask `mayObtainCredentials`.
 */
export const AGENT_STATUSES = ['active', 'suspended', 'deprecated', 'decommissioned'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const STATUS_RULES: Record<AgentStatus, { next: readonly AgentStatus[]; mayObtainCredentials: boolean; editable: boolean }> = {
  active: { next: ['suspended', 'deprecated'], mayObtainCredentials: true, editable: true },
  suspended: { next: ['active', 'deprecated'], mayObtainCredentials: false, editable: true },
  // Deprecated agents keep working while their replacement takes over; they are on their way out.
  deprecated: { next: ['decommissioned'], mayObtainCredentials: true, editable: true },
  decommissioned: { next: [], mayObtainCredentials: false, editable: false },
};

/** The verbs of the API and CLI, each naming the status it leads to. */
export const LIFECYCLE_ACTIONS = {
  suspend: { to: 'suspended', event: 'agent.suspended' },
  resume: { to: 'active', event: 'agent.resumed' },
  deprecate: { to: 'deprecated', event: 'agent.deprecated' },
  decommission: { to: 'decommissioned', event: 'agent.decommissioned' },
} as const satisfies Record<string, { to: AgentStatus; event: string }>;

export type LifecycleAction = keyof typeof LIFECYCLE_ACTIONS;
export const LIFECYCLE_ACTION_NAMES = Object.keys(LIFECYCLE_ACTIONS) as LifecycleAction[];

export function isAgentStatus(value: unknown): value is AgentStatus {
  return typeof value === 'string' && (AGENT_STATUSES as readonly string[]).includes(value);
}

export function allowedTransitions(from: AgentStatus): readonly AgentStatus[] {
  return STATUS_RULES[from].next;
}

export function canTransition(from: AgentStatus, to: AgentStatus): boolean {
  return STATUS_RULES[from].next.includes(to);
}

/** Throws IllegalTransitionError (409) naming the transitions that are allowed from `from`. */
export function assertTransition(from: AgentStatus, to: AgentStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError('agent', from, to, allowedTransitions(from));
}

/** Whether an agent in this status may be issued new tokens, certificates or credentials. */
export function mayObtainCredentials(status: AgentStatus): boolean {
  return STATUS_RULES[status].mayObtainCredentials;
}

/** Whether the agent's fields may still change (a decommissioned record is frozen). */
export function isEditable(status: AgentStatus): boolean {
  return STATUS_RULES[status].editable;
}
