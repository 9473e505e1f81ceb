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

/** A pre-registered client of people (an MCP client, the console): public (PKCE only) or confidential (with a secret). */
export interface ClientRow {
  client_id: string;
  name: string;
  type: 'public' | 'confidential';
  secret_hash: string | null;
  /** JSON array of exact redirect URIs. */
  redirect_uris: string;
  client_uri: string | null;
  logo_uri: string | null;
  created_at: string;
}

/** An authorization code, by its SHA-256: single use, short-lived, bound to client, redirect URI, PKCE challenge and resource. */
export interface CodeRow {
  code_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  code_challenge: string;
  resource: string;
  /** Space-separated granted scopes. */
  scopes: string;
  /** The refresh family the code starts: its tokens are revoked when the code is presented twice. */
  family_id: string;
  /** Epoch seconds. */
  expires_at: number;
  used_at: number | null;
}

/** One grant to a person's client: every refresh token and access token issued from one code. */
export interface RefreshFamilyRow {
  family_id: string;
  client_id: string;
  user_id: string;
  resource: string;
  scopes: string;
  created_at: string;
  /** Epoch seconds: no refresh after this. */
  expires_at: number;
  revoked_at: string | null;
  revoked_reason: string | null;
}

/** A refresh token, by its SHA-256; `used_at` set when rotated (a second use is reuse). */
export interface RefreshTokenRow {
  token_hash: string;
  family_id: string;
  expires_at: number;
  used_at: number | null;
}

/** An access token issued in a family (revoked with it), kept until its exp. */
export interface FamilyTokenRow {
  jti: string;
  family_id: string;
  client_id: string;
  exp: number;
}

/** A person's consent to a client for a resource and a scope set (sorted, space-separated). */
export interface ConsentRow {
  id: string;
  user_id: string;
  client_id: string;
  client_name: string;
  scopes: string;
  resource: string;
  created_at: string;
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
  oauth_clients: ClientRow;
  oauth_codes: CodeRow;
  oauth_refresh_families: RefreshFamilyRow;
  oauth_refresh_tokens: RefreshTokenRow;
  oauth_family_tokens: FamilyTokenRow;
  oauth_consents: ConsentRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const oauthTables = (executor: Executor) => tablesOf<OAuthTables>(executor);
