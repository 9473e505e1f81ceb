import { tablesOf, type Executor } from '../storage/index.js';
/** OAuth's rows as stored (times ISO-8601 text, JSON as text, epoch seconds where the JWT world speaks them). */

/** A token-signing key. Its life is derived from times: it signs from `activates_at` until a newer key activates. */
export interface SigningKeyRow {
  kid: string;
  alg: string;
  /** Public JWK (JSON), as published. */
  public_jwk: string;
  /** PKCS#8 DER, sealed with the master key (crypto/envelope.ts), context `oauth-signing-key:<kid>`. */
  private_key: string;
  created_at: string;
  activates_at: string;
}

/** Single-use identifiers (client assertion and DPoP proof `jti`s), kept until they could no longer be replayed. */
export interface SeenJtiRow {
  /** `<purpose>:<scope>:<jti>`, e.g. `assertion:<client_id>:<jti>`. */
  key: string;
  expires_at: string;
}

/** An individually revoked access token, kept until it expires. */
export interface RevokedTokenRow {
  jti: string;
  agent_id: string | null;
  /** The token's exp (epoch seconds). */
  exp: number;
  revoked_at: string;
}

/** A token issued with a task id: revoked when the task ends (kept until its `exp`). */
export interface TaskTokenRow {
  jti: string;
  task_id: string;
  agent_id: string;
  client_id: string | null;
  exp: number;
}

/** Per-agent "not before" mark: tokens of the agent issued at or before it are revoked. */
export interface AgentRevocationRow {
  agent_id: string;
  client_id: string | null;
  /** Epoch seconds. */
  not_before: number;
  updated_at: string;
}

/** The revocation feed: one row per event, `seq` assigned under the head row's lock so commit order = seq order. */
export interface RevocationEventRow {
  seq: number;
  kind: string;
  jti: string | null;
  agent_id: string | null;
  client_id: string | null;
  /** `exp` for token events, `not_before` for agent events (epoch seconds). */
  at: number;
  /** Epoch seconds after which the event no longer matters and may be pruned. */
  retain_until: number;
  created_at: string;
}

export interface RevocationHeadRow {
  id: number;
  seq: number;
}

/** A registered resource server (API): the audience it accepts, its scopes, and credentials for introspection. */
export interface ResourceServerRow {
  id: string;
  name: string;
  audience: string;
  /** JSON array. */
  scopes: string;
  client_id: string;
  secret_hash: string;
  created_at: string;
  /** The policy package an admin bound to it (its decisions evaluate it); null: the server's. */
  policy_package: string | null;
}

export interface OAuthTables {
  oauth_signing_keys: SigningKeyRow;
  oauth_seen_jtis: SeenJtiRow;
  oauth_revoked_tokens: RevokedTokenRow;
  oauth_agent_revocations: AgentRevocationRow;
  oauth_revocation_events: RevocationEventRow;
  oauth_revocation_head: RevocationHeadRow;
  oauth_resource_servers: ResourceServerRow;
  oauth_task_tokens: TaskTokenRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const oauthTables = (executor: Executor) => tablesOf<OAuthTables>(executor);
