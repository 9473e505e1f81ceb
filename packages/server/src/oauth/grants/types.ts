import type { AuditEvent } from '../../audit/index.js';
import type { DelegationService } from '../../delegation/index.js';
import type { Agent } from '../../registry/index.js';
import type { ClientAuthMethod } from '../client-auth.js';
import type { FormParameters } from '../form.js';
import type { SigningKeys } from '../keys/signing-keys.js';
import type { ResourceServers } from '../resource-servers.js';
import type { IssuedAccessToken } from '../tokens.js';
import type { AccessTokenVerifier } from '../verifier.js';

/** Everything a grant needs to decide and mint; no HTTP in here. */
export interface GrantContext {
  form: FormParameters;
  client: { agent: Agent; method: ClientAuthMethod };
  /** Thumbprint of a verified DPoP proof's key: the token must be bound to it. */
  jkt: string | undefined;
  /** Thumbprint of the client certificate (tls_client_auth): the token must be bound to it (RFC 8705 §3). */
  x5t?: string | undefined;
  now: number;
  /** An open task of the agent the token is issued with (checked by the endpoint): carried as the `task_id` claim. */
  taskId?: string | undefined;
  issuer: string;
  ttl: { defaultSeconds: number; minSeconds: number; maxSeconds: number };
  keys: SigningKeys;
  resourceServers: ResourceServers;
  /** Verifies Mandate's own tokens presented as subject or actor tokens (token exchange). */
  verifier: AccessTokenVerifier;
  /** The delegation context (token exchange, ID-JAG); null until the runtime wires it. */
  delegation: DelegationService | null;
}

/** RFC 6749 §5.1 success body (plus RFC 8693's issued_token_type when a grant sets it). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
  issued_token_type?: string;
  /** People's grants (authorization code, refresh): rotated on every use. */
  refresh_token?: string;
}

export interface GrantResult {
  issued: IssuedAccessToken;
  response: TokenResponse;
  /** Audit details beyond the common ones (never the token itself), e.g. a delegation chain. */
  details?: Record<string, unknown>;
  /**
   * For a grant whose token comes with a change of its own (a delegation's chain link, the
   * approval a deep step spends): commits that change with the issuance entry the endpoint
   * builds, in one transaction. Without it, the endpoint records the entry itself (batched).
   */
  commit?: (issued: AuditEvent) => Promise<void>;
}

/** One grant, one module (STYLE.md §2, as oidc-provider's lib/actions/grants/*). */
export interface GrantModule {
  grantType: string;
  /** The form parameters the grant reads (documentation and metadata). */
  parameters: readonly string[];
  handler(context: GrantContext): Promise<GrantResult>;
}

/** The agent's own lifetime within the configured bounds, else the default. */
export function tokenLifetime(agent: Agent, ttl: GrantContext['ttl']): number {
  const wanted = agent.tokenTtlSeconds ?? ttl.defaultSeconds;
  return Math.min(ttl.maxSeconds, Math.max(ttl.minSeconds, wanted));
}
