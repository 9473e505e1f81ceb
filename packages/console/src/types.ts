/** Shapes of the API answers the console reads (the server's OpenAPI document is the source). */

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Agent {
  id: string;
  client_id: string;
  name: string;
  purpose: string;
  owner: string;
  scopes: string[];
  tools: string[];
  data_classification: string;
  environment: string;
  status: string;
  token_ttl_seconds: number | null;
  jwks: { keys: unknown[] } | null;
  tls_client_auth_subject_dn: string | null;
  metadata: Record<string, string>;
  created_at: string;
  created_by: string;
  updated_at: string;
  status_changed_at: string;
  status_changed_by: string;
  status_reason: string | null;
  last_review: { at: string; by: string; notes: string | null } | null;
  review_due_at: string;
  review_overdue: boolean;
  client_secret_issued_at: string | null;
  previous_secret_expires_at: string | null;
}

export interface Revoked {
  kind: string;
  id: string;
  detail?: string;
}

export interface Registered {
  agent: Agent;
  client_id: string;
  client_secret: string;
}

export interface Held {
  grant_request: { id: string };
  message: string;
}

// Shapes the SDK defines for its own clients: one definition for the SDK, the CLI and the console.
export type { Alert, Approval, BrowserSession, OwnBrowserSession } from '@mandate/sdk';

export interface AuditEntry {
  seq: number;
  time: string;
  type: string;
  actor: { kind: string; id: string } & Record<string, unknown>;
  subject: string | null;
  agent_id: string | null;
  action: string;
  outcome: string;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export interface Lease {
  lease_id: string;
  engine: string;
  path: string;
  agent_id: string | null;
  task_id: string | null;
  status: string;
  issued_at: string;
  expires_at: string;
  ttl: number;
}

export interface Certificate {
  serial: string;
  agent_id: string;
  spiffe_id: string;
  ca: string;
  thumbprint: string;
  not_before: string;
  not_after: string;
  issued_at: string;
  revoked_at: string | null;
  revoke_reason: string | null;
  task_id: string | null;
}

export interface LiveToken {
  jti: string;
  issued_at: string;
  expires_at: string;
  grant_type: string;
  scopes: string[];
  audience: string | string[];
  dpop: boolean;
  chain_id: string | null;
  depth: number | null;
  task_id: string | null;
  audit_seq: number;
}

export interface Task {
  id: string;
  agent_id: string;
  description: string;
  status: string;
  created_at: string;
  expires_at: string;
  closed_at: string | null;
}

/** GET /v1/agents/{id}/credentials: what the agent holds now. */
export interface Credentials {
  agent_id: string;
  tokens: LiveToken[];
  tokens_complete: boolean;
  certificates: Certificate[];
  /** null without leases:read */
  leases: Lease[] | null;
  tasks: Task[];
}

/** GET /v1/agents/{id}/delegations items: one issued delegated token's place in its chain. */
export interface DelegationLink {
  jti: string;
  chain_id: string;
  parent_jti: string | null;
  root: { sub: string; iss: string };
  agent_id: string;
  depth: number;
  scopes: string[];
  audience: string;
  grant_type: string;
  created_at: string;
  expires_at: string;
}

export interface SignalSeries {
  kind: 'rate' | 'event';
  observed: number[];
  mean: number[];
  deviation: number[];
  threshold: (number | null)[];
}

/** GET /v1/agents/{id}/signals */
export interface Signals {
  agent_id: string;
  window: string;
  bucket_seconds: number;
  times: string[];
  signals: Record<string, SignalSeries>;
  entries_read: number;
  complete: boolean;
}
