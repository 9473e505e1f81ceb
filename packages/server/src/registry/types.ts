import type { RevokedCredential } from '../shared/revoked.js';
import type { Actor, AuditEvent } from '../audit/index.js';
import type { Tx } from '../storage/index.js';
import type { DataClassification } from './classification.js';
import type { PublicJwks } from './jwks.js';
import type { AgentStatus, LifecycleAction } from './lifecycle.js';

export type { DataClassification } from './classification.js';
export type { PublicJwk, PublicJwks } from './jwks.js';
export type { AgentStatus, LifecycleAction } from './lifecycle.js';

/** A registered agent, as the registry hands it to other contexts. */
export interface Agent {
  /** Unique, readable, e.g. `agent-cal-prod-001`; also the OAuth `client_id` and token `sub`. */
  id: string;
  clientId: string;
  name: string;
  purpose: string;
  /** The responsible human (an email, lowercase). */
  owner: string;
  /** OAuth scopes the agent may be granted: the upper bound of every token it gets. */
  scopes: string[];
  /** Tool identifiers, `<api>[:<operation>]`, e.g. `google-calendar-api:events.insert`. */
  tools: string[];
  /** The most sensitive class of data the agent may touch. */
  dataClassification: DataClassification;
  environment: string;
  status: AgentStatus;
  /** Per-agent access token lifetime; null means the server default (config oauth.accessTokenTtlSeconds). */
  tokenTtlSeconds: number | null;
  /** Public keys for `private_key_jwt` (RFC 7523), or null when the agent uses a client secret. */
  jwks: PublicJwks | null;
  /** Subject DN for `tls_client_auth` (RFC 8705), or null. */
  tlsClientAuthSubjectDn: string | null;
  metadata: Record<string, string>;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  statusChangedAt: string;
  statusChangedBy: string;
  statusReason: string | null;
  lastReview: AgentReview | null;
  /** When the next review is due: last review (or creation) + registry.reviewIntervalDays. */
  reviewDueAt: string;
  /** True when `reviewDueAt` has passed (never for decommissioned agents). */
  reviewOverdue: boolean;
  /** When the current client secret was issued; null once decommissioned. */
  clientSecretIssuedAt: string | null;
  /** Until when the previous secret still works after a rotation (null when none does). */
  previousSecretExpiresAt: string | null;
}

export interface AgentReview {
  at: string;
  by: string;
  notes: string | null;
}

/** What registration needs; optional fields get defaults (id generated, no TTL override, no keys). */
export interface NewAgent {
  id?: string | undefined;
  name: string;
  purpose: string;
  owner: string;
  scopes: string[];
  tools: string[];
  dataClassification: string;
  environment: string;
  tokenTtlSeconds?: number | null | undefined;
  jwks?: unknown;
  tlsClientAuthSubjectDn?: string | null | undefined;
  metadata?: Record<string, string> | null | undefined;
}

/** The mutable fields; `null` clears the optional ones. */
export interface AgentPatch {
  name?: string;
  purpose?: string;
  owner?: string;
  scopes?: string[];
  tools?: string[];
  dataClassification?: string;
  environment?: string;
  tokenTtlSeconds?: number | null;
  jwks?: unknown;
  tlsClientAuthSubjectDn?: string | null;
  metadata?: Record<string, string> | null;
}

export const MUTABLE_FIELDS = [
  'name',
  'purpose',
  'owner',
  'scopes',
  'tools',
  'dataClassification',
  'environment',
  'tokenTtlSeconds',
  'jwks',
  'tlsClientAuthSubjectDn',
  'metadata',
] as const satisfies ReadonlyArray<keyof AgentPatch>;

export interface AgentFilter {
  status?: AgentStatus[] | undefined;
  owner?: string | undefined;
  environment?: string | undefined;
  /** Agents of this maximum data classification exactly. */
  classification?: string | undefined;
  /** Agents whose scopes include this one exactly. */
  scope?: string | undefined;
  reviewOverdue?: boolean | undefined;
  /** Case-insensitive substring of id, name or purpose. */
  q?: string | undefined;
}

export interface PageRequest {
  limit?: number | undefined;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string | undefined;
}

export interface AgentPage {
  items: Agent[];
  nextCursor: string | null;
}

/** Registration's answer: the secret is in here once and nowhere else. */
export interface RegisteredAgent {
  agent: Agent;
  clientId: string;
  clientSecret: string;
}

export interface RotatedSecret {
  agent: Agent;
  clientId: string;
  clientSecret: string;
  /** Until when the replaced secret keeps working (null when the overlap is 0). */
  previousSecretExpiresAt: string | null;
}

/**
 * Narrows what a caller may touch: `owner` restricts every call to agents whose owner is
 * that email (an operator with only the `owner` role). Undefined means unrestricted.
 */
export interface AccessScope {
  owner?: string | undefined;
  /**
   * For an owner-scoped caller (`owner` set): what it may give its agents, set by an admin on
   * the operator (operators' grant ceiling). Null or absent: none set, so an owner may grant
   * nothing — no scopes, no tools, nothing above public (deny by default).
   */
  ceiling?: GrantLimit | null | undefined;
}

/** The most an owner may grant: these scopes, these tools (an entry covers its `entry:…` operations), this classification. */
export interface GrantLimit {
  scopes: readonly string[];
  tools: readonly string[];
  maxClassification: string;
}

/** Passed to status-change listeners: inside the change's transaction, then after it commits. */
export interface StatusChange {
  agentId: string;
  clientId: string;
  from: AgentStatus;
  to: AgentStatus;
  action: LifecycleAction;
  actor: Actor;
  reason: string | null;
  /** ISO-8601 time of the change. */
  at: string;
}

/**
 * Called after a status change commits, for in-memory work (cache eviction, waking
 * long-polls). Durable revocations belong in StatusChangeTxListener, which cannot be lost to
 * a crash after commit. Must be idempotent; a failure is logged and does not undo the change
 * (credential checks must still consult `status`).
 */
export type StatusChangeListener = (change: StatusChange) => Promise<void> | void;

/**
 * Called inside the status change's own transaction, after the agent row is updated and
 * before the change's audit entry is appended. Writes made through `trx` and the audit events
 * returned commit together with the change or not at all: a throw rolls the whole transition
 * back (the caller gets the error, the status stays as it was, no audit entry is written).
 * For durable consequences that must never be missing once the change is visible, such as
 * OAuth's revocation mark and feed event. Locks: the agent row is held; take any further row
 * locks in the order docs/registry.md gives, and never the agent rows of other agents.
 */
export type StatusChangeTxListener = (trx: Tx, change: StatusChange) => Promise<AuditEvent[] | StatusContribution | void>;

/**
 * What an in-transaction listener may return instead of bare events: its events and the
 * credentials it took back, which a decommission's response lists (`revoked`). A context plugs
 * in with one line, e.g. `registry.onStatusChangeInTransaction(async (trx, c) => c.to ===
 * 'decommissioned' ? { events, revoked } : [])`.
 */
export interface StatusContribution {
  events: AuditEvent[];
  revoked: RevokedCredential[];
}

/** A transition's outcome: the agent, and every credential taken back with it (decommission). */
export interface TransitionOutcome {
  agent: Agent;
  revoked: RevokedCredential[];
}

export const GRANT_REQUEST_STATUSES = ['pending', 'approved', 'denied'] as const;
export type GrantRequestStatus = (typeof GRANT_REQUEST_STATUSES)[number];

/**
 * An owner's registration or change beyond its grant ceiling, held for an admin: nothing is
 * granted until an admin (not the requester) approves it, which applies it in the same
 * transaction.
 */
export interface GrantRequest {
  id: string;
  kind: 'register' | 'update';
  /** The agent a change is for; for a registration, the new agent once approved, else null. */
  agentId: string | null;
  /** The fields asked for, under their wire names (a registration's given id as `id`). */
  requested: Record<string, unknown>;
  /** What is beyond the ceiling (wire names), as the 403 used to say. */
  exceeds: Record<string, unknown>;
  status: GrantRequestStatus;
  requestedBy: string;
  requesterEmail: string;
  createdAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
}

/** An operator deciding a grant request (the route has checked its permission). */
export interface GrantDecider {
  operatorId: string;
  email: string;
  actor: Actor;
}
