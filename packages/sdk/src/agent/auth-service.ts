import { realSleep, systemClock, type Clock, type Sleeper } from '../shared/clock.js';
import { DiscoveryError, MandateSdkError } from '../shared/errors.js';
import { readJson, send, type FetchLike } from '../shared/http.js';
import { DEFAULT_RETRY, isRetryable, withRetry, type RetryPolicy } from '../shared/retry.js';
import { clientAuthenticator, type ClientAuth } from '../oauth/client-auth.js';
import { createDpopProof, generateDpopKey, type DpopKey } from '../oauth/dpop.js';
import { oauthErrorFrom, UseDpopNonceError } from '../oauth/errors.js';
import { MetadataCache, type AuthorizationServerMetadata } from '../oauth/metadata.js';
import { tokenSetFrom, type TokenSet } from './token-set.js';
import { authorizedFetch, type AuthorizedFetchOptions } from './authorized-fetch.js';

export interface AgentAuthOptions {
  /** Mandate's issuer URL (`MANDATE_ISSUER`); endpoints are discovered from its metadata. */
  issuer: string;
  clientId: string;
  /** Shorthand for `auth: { method: 'client_secret_basic', clientSecret }`. */
  clientSecret?: string;
  /** Client authentication; `clientSecret` alone means client_secret_basic. */
  auth?: ClientAuth;
  /** Default scopes requested (space-separated string or list); the server's default when absent. */
  scope?: string | string[];
  /** Default RFC 8707 resource indicator(s): the API(s) the token is for. */
  resource?: string | string[];
  /** Sender-constrain tokens with DPoP: `true` generates an ES256 key pair, or pass your own. */
  dpop?: boolean | DpopKey | Promise<DpopKey>;
  /** Ask for the next token this long before the current one expires (default 30 s). */
  refreshMarginSeconds?: number;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  sleep?: Sleeper;
  /** Jitter source in [0, 1); injectable for tests. */
  random?: () => number;
  fetch?: FetchLike;
}

/** Per-call overrides of the defaults above. */
export interface TokenRequest {
  scope?: string | string[];
  resource?: string | string[];
  /** Task-scoped token (docs/contract.md `/v1/tasks`). */
  taskId?: string;
  /** Skip the cache and fetch a new token (still shared with concurrent callers). */
  forceRefresh?: boolean;
}

const DEFAULT_REFRESH_MARGIN_SECONDS = 30;
const CLIENT_CREDENTIALS = 'client_credentials';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** What `delegate()` asks for: the parent's token, the narrower scopes, the audience. */
export interface DelegationRequest {
  /** The user's token from the company IdP, or the parent agent's Mandate access token. */
  subjectToken: string;
  /** RFC 8693 token type of `subjectToken`; default access token (use `urn:ietf:params:oauth:token-type:id_token` for an ID token). */
  subjectTokenType?: string;
  /** The scopes wanted: each must be within the parent's and this agent's, and at least half fewer (server-configured). */
  scopes?: string | string[];
  /** The resource (RFC 8707) the token is for; default Mandate's own API. */
  audience?: string;
  /** The approval id from an AuthorizationPendingError, once approved. */
  approvalId?: string;
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : value.split(' ')).filter(Boolean);
}

/**
 * The agent's OAuth client: client credentials grant with secret, private_key_jwt and
 * optional DPoP. Tokens are cached per (scope, resource, task); one request is in flight per
 * key however many callers wait; network errors and 5xx are retried with backoff, 4xx never.
 */
export class AgentAuthService {
  readonly clientId: string;
  private readonly clock: Clock;
  private readonly fetchImpl: FetchLike;
  private readonly metadata: MetadataCache;
  private readonly authenticate: ReturnType<typeof clientAuthenticator>;
  private readonly retry: RetryPolicy;
  private readonly sleep: Sleeper;
  private readonly random: () => number;
  private readonly refreshMargin: number;
  private readonly dpopKey: Promise<DpopKey> | undefined;
  private readonly cache = new Map<string, TokenSet>();
  private readonly inflight = new Map<string, Promise<TokenSet>>();
  /** The last `DPoP-Nonce` each origin sent (RFC 9449 §8, §9): the AS and each resource server keep their own. */
  private readonly nonces = new Map<string, string>();

  constructor(private readonly options: AgentAuthOptions) {
    const auth = options.auth ?? (options.clientSecret !== undefined ? { method: 'client_secret_basic' as const, clientSecret: options.clientSecret } : undefined);
    if (!auth) throw new MandateSdkError('ERR_CLIENT_AUTH_CONFIG', 'AgentAuthService needs `clientSecret` or `auth`');
    this.clientId = options.clientId;
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.metadata = new MetadataCache(options.issuer, this.fetchImpl);
    this.authenticate = clientAuthenticator(auth);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.refreshMargin = options.refreshMarginSeconds ?? DEFAULT_REFRESH_MARGIN_SECONDS;
    if (options.dpop === true) this.dpopKey = generateDpopKey();
    else if (options.dpop) this.dpopKey = Promise.resolve(options.dpop);
    // A key generation failure surfaces on first use, not as an unhandled rejection now.
    this.dpopKey?.catch(() => undefined);
  }

  /** The authorization server's metadata (discovered once). */
  serverMetadata(): Promise<AuthorizationServerMetadata> {
    return this.metadata.get();
  }

  /** The DPoP key, when tokens are sender-constrained. */
  async dpop(): Promise<DpopKey | undefined> {
    return this.dpopKey;
  }

  /** A valid access token (cached until 30 s before expiry). */
  async getToken(request: TokenRequest = {}): Promise<string> {
    return (await this.getTokenSet(request)).accessToken;
  }

  async getTokenSet(request: TokenRequest = {}): Promise<TokenSet> {
    const scope = asList(request.scope ?? this.options.scope);
    const resource = asList(request.resource ?? this.options.resource);
    const key = JSON.stringify([[...scope].sort(), [...resource].sort(), request.taskId ?? null]);
    const cached = this.cache.get(key);
    const now = this.clock.now();
    if (cached && !request.forceRefresh && now < cached.refreshAt) return cached;

    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.requestToken(scope, resource, request.taskId).then((set) => {
        this.cache.set(key, set);
        return set;
      });
      const settled = pending.finally(() => this.inflight.delete(key));
      settled.catch(() => undefined);
      this.inflight.set(key, pending);
    }
    try {
      return await pending;
    } catch (error) {
      // The server is unreachable but the token we hold has not expired yet: keep using it
      // rather than fail the agent's work. A 4xx (e.g. the agent was suspended) is final.
      if (cached && !request.forceRefresh && isRetryable(error) && this.clock.now() < cached.expiresAt) return cached;
      throw error;
    }
  }

  /** Forgets cached tokens (all, or those equal to `accessToken`), e.g. after a 401 invalid_token. */
  invalidate(accessToken?: string): void {
    for (const [key, set] of this.cache) {
      if (accessToken === undefined || set.accessToken === accessToken) this.cache.delete(key);
    }
  }

  /**
   * Revokes a token at the server (RFC 7009) and forgets it locally; without an argument,
   * every token this service holds. Resource servers learn of it through the revocation feed.
   */
  async revoke(accessToken?: string): Promise<void> {
    const tokens = accessToken !== undefined ? [accessToken] : [...this.cache.values()].map((set) => set.accessToken);
    this.invalidate(accessToken);
    const metadata = await this.metadata.get();
    const endpoint = metadata.revocation_endpoint;
    if (typeof endpoint !== 'string') throw new DiscoveryError('the server metadata has no revocation_endpoint');
    for (const token of tokens) {
      await withRetry(this.retry, { sleep: this.sleep, random: this.random }, async () => {
        const auth = await this.authenticate({ clientId: this.clientId, tokenEndpoint: metadata.token_endpoint, now: this.clock.now() });
        const form = new URLSearchParams({ token, token_type_hint: 'access_token' });
        for (const [name, value] of Object.entries(auth.params)) form.set(name, value);
        const response = await send(this.fetchImpl, endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...auth.headers },
          body: form.toString(),
        });
        const body = await readJson(response);
        if (!response.ok) throw oauthErrorFrom(response.status, body);
      });
    }
  }

  /** A fetch that adds `Authorization: Bearer|DPoP` (and a DPoP proof) to each call. */
  fetch(input: string | URL | Request, init?: RequestInit, options: AuthorizedFetchOptions = {}): Promise<Response> {
    return authorizedFetch(this, input, init, options);
  }

  /** @internal The fetch, clock and nonce store the authorized fetch shares. */
  get transport(): { fetch: FetchLike; clock: Clock; nonces: Map<string, string> } {
    return { fetch: this.fetchImpl, clock: this.clock, nonces: this.nonces };
  }

  /**
   * Token exchange (RFC 8693) for a sub-agent: trades `subjectToken` (a user's token or the
   * parent agent's) for a narrower token of this agent, every scope asked checked by the server
   * (docs/delegation.md). A chain beyond the approval depth throws AuthorizationPendingError
   * with `approvalId`; pass it back once a human has approved. Never cached: each call is one
   * exchange, and the token never outlives its parent.
   */
  delegate(request: DelegationRequest): Promise<TokenSet> {
    const grant: Record<string, string> = {
      grant_type: TOKEN_EXCHANGE,
      subject_token: request.subjectToken,
      subject_token_type: request.subjectTokenType ?? ACCESS_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
    };
    const scopes = asList(request.scopes);
    if (scopes.length > 0) grant.scope = scopes.join(' ');
    if (request.audience !== undefined) grant.resource = request.audience;
    if (request.approvalId !== undefined) grant.approval_id = request.approvalId;
    return this.requestGrant(() => new URLSearchParams(grant));
  }

  private requestToken(scope: string[], resource: string[], taskId: string | undefined): Promise<TokenSet> {
    return this.requestGrant(() => clientCredentialsForm(scope, resource, taskId));
  }

  private requestGrant(grantForm: () => URLSearchParams): Promise<TokenSet> {
    return withRetry(this.retry, { sleep: this.sleep, random: this.random }, async () => {
      const metadata = await this.metadata.get();
      const endpoint = metadata.token_endpoint;
      // One immediate retry when the server asks for a DPoP nonce (RFC 9449 §8): not a failure.
      for (let nonceRetry = 0; ; nonceRetry++) {
        const response = await this.postTokenRequest(endpoint, grantForm());
        const origin = new URL(endpoint).origin;
        const nonce = response.headers.get('dpop-nonce');
        if (nonce) this.nonces.set(origin, nonce);
        const body = await readJson(response);
        if (response.ok && body && typeof body === 'object') {
          return tokenSetFrom(body as Record<string, unknown>, this.clock.now(), this.refreshMargin);
        }
        const error = oauthErrorFrom(response.status, body);
        if (error instanceof UseDpopNonceError && nonce && nonceRetry === 0 && this.dpopKey) continue;
        throw error;
      }
    });
  }

  private async postTokenRequest(endpoint: string, form: URLSearchParams): Promise<Response> {
    const now = this.clock.now();
    const auth = await this.authenticate({ clientId: this.clientId, tokenEndpoint: endpoint, now });
    for (const [name, value] of Object.entries(auth.params)) form.set(name, value);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...auth.headers,
    };
    const key = await this.dpopKey;
    if (key) {
      const nonce = this.nonces.get(new URL(endpoint).origin);
      headers.dpop = await createDpopProof(key, { method: 'POST', url: endpoint, now, ...(nonce ? { nonce } : {}) });
    }
    return send(this.fetchImpl, endpoint, { method: 'POST', headers, body: form.toString() });
  }
}

function clientCredentialsForm(scope: string[], resource: string[], taskId: string | undefined): URLSearchParams {
  const form = new URLSearchParams({ grant_type: CLIENT_CREDENTIALS });
  if (scope.length > 0) form.set('scope', scope.join(' '));
  for (const target of resource) form.append('resource', target);
  if (taskId !== undefined) form.set('task_id', taskId);
  return form;
}
