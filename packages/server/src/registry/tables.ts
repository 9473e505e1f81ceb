import { tablesOf, type Executor } from '../storage/index.js';
/**
 * The registry's rows. Lists and objects are JSON text, times ISO-8601 UTC text, so both
 * dialects store them alike. Client secrets exist here only as hashes.
 */
export interface AgentRow {
  id: string;
  /** Equal to `id` (see docs/registry.md); a column of its own so lookups by client id stay explicit. */
  client_id: string;
  name: string;
  purpose: string;
  owner: string;
  /** JSON array of scope strings. */
  scopes: string;
  /** JSON array of tool identifiers. */
  tools: string;
  data_classification: string;
  environment: string;
  status: string;
  token_ttl_seconds: number | null;
  /** JSON public JWK Set, or null. */
  jwks: string | null;
  /** RFC 8705 `tls_client_auth`: the certificate subject DN the agent must present, or null. */
  tls_client_auth_subject_dn: string | null;
  /** JSON object of string labels. */
  metadata: string;
  client_secret_hash: string | null;
  client_secret_issued_at: string | null;
  previous_secret_hash: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  status_changed_at: string;
  status_changed_by: string;
  status_reason: string | null;
  last_reviewed_at: string | null;
  last_reviewed_by: string | null;
  last_review_notes: string | null;
}

/** An owner's grant beyond its ceiling, waiting for an admin (grant-requests.ts). */
export interface GrantRequestRow {
  id: string;
  /** `register` or `update`. */
  kind: string;
  /** The agent a change is for; null for a registration until approved (then the new agent's id). */
  agent_id: string | null;
  /** JSON: the checked fields (and a registration's given id). */
  request: string;
  /** JSON: what is beyond the ceiling, wire names. */
  exceeds: string;
  /** `pending`, `approved` or `denied`. */
  status: string;
  requested_by: string;
  requester_email: string;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
}

export interface RegistryTables {
  agents: AgentRow;
  agent_grant_requests: GrantRequestRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const registryTables = (executor: Executor) => tablesOf<RegistryTables>(executor);
