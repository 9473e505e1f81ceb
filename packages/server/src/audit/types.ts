/** Who did something: an operator (human), an agent (with its delegation chain), a person signed in at the company IdP, or Mandate itself. */
export type Actor =
  | { kind: 'operator'; id: string; roles?: string[] }
  | { kind: 'person'; id: string }
  | { kind: 'agent'; id: string; onBehalfOf?: string; chain?: DelegationLink[] }
  | { kind: 'system'; id: string }
  | { kind: 'anonymous'; id: string };

/** One hop of a delegation chain, outermost (the original subject) first. */
export interface DelegationLink {
  sub: string;
  client_id?: string;
}

export type Outcome = 'success' | 'failure' | 'denied';

/** What a service asks the audit log to record. */
export interface AuditEvent {
  /** Dotted event type, e.g. `agent.registered`, `token.issued`, `decision`. */
  type: string;
  actor: Actor;
  /** What the event is about (an agent id, operator id, policy id, …). */
  subject?: string;
  /** The agent concerned, for filtering by agent (actor or subject). */
  agentId?: string;
  action: string;
  outcome: Outcome;
  details?: Record<string, unknown>;
  /**
   * Paths into `details` (dot-separated) whose values are secret: they are replaced by
   * `hmac-sha256:<hex>` before the entry is written, so equal values stay comparable.
   */
  sensitive?: string[];
}

/** An entry as the API and the export show it: the hashed fields under the names they are hashed with. */
export interface AuditEntryView {
  seq: number;
  time: string;
  type: string;
  actor: Actor;
  subject: string | null;
  agent_id: string | null;
  action: string;
  outcome: string;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** A stored, chained entry. */
export interface AuditEntry {
  seq: number;
  time: string;
  type: string;
  actor: Actor;
  subject: string | null;
  agentId: string | null;
  action: string;
  outcome: Outcome;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}
