import { decodeJwt } from 'jose';
import type { Actor, AuditEvent } from '../audit/types.js';
import type { CredentialResolver, OperatorPrincipal, Principal } from '../http/principal.js';
import type { Foundation } from '../foundation.js';
import { can } from '../operators/roles.js';
import type { RegistryService } from '../registry/service.js';
import type { Agent } from '../registry/types.js';
import { epochSeconds } from '../shared/clock.js';
import { AuthenticatedAgents } from './agent-cache.js';
import { mayHoldTokens } from './agent-status.js';
import { CLIENT_SIGNING_ALGORITHMS, SIGNING_ALGORITHMS } from './algorithms.js';
import { CLIENT_AUTH_METHODS, presentedCredentials, verifyClientAssertion, type PresentedCredentials } from './client-auth.js';
import { verifyDpopProof } from './dpop.js';
import { AccessDenied, InvalidClient, InvalidDpopProof, InvalidRequest, OAuthError, RateLimited, UnauthorizedClient, UnsupportedGrantType } from './errors.js';
import { parseForm, type FormParameters } from './form.js';
import { GRANTS } from './grants/index.js';
import { IssuanceAudit } from './issuance-audit.js';
import type { TokenResponse } from './grants/types.js';
import { SigningKeys } from './keys/signing-keys.js';
import { clientAuthFailures, tokenRequestsRefused, tokensIssued } from './metrics.js';
import { TokenBuckets } from './rate-limit.js';
import { SeenJtis } from './replay.js';
import { ResourceServers, type ResourceServer } from './resource-servers.js';
import { Revocations, type FeedPage } from './revocation.js';
import { AccessTokenVerifier, type AccessTokenClaims } from './verifier.js';

export interface OAuthServiceOptions extends Foundation {
  registry: RegistryService;
  /** Resolves an operator bearer token (introspection, revocation and the feed accept operators). */
  resolveOperator(token: string): Promise<Principal | null>;
}

/** Headers of an OAuth request, as plain values (the service never sees Fastify). */
export interface OAuthRequest {
  authorization?: string | undefined;
  dpop?: string | string[] | undefined;
  body: string;
  /** The peer's address: failed authentications are counted per client_id and address. */
  remoteAddress?: string | undefined;
}

/** Who called introspection, revocation or the feed. */
type Caller = { kind: 'resource_server'; server: ResourceServer } | { kind: 'operator'; operator: OperatorPrincipal } | { kind: 'agent'; agent: Agent };

const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/;
const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="mandate"' };
const KEY_MAINTENANCE_MS = 30_000;
const PRUNE_MS = 5 * 60_000;
/** How long a successful client-secret authentication is reused (agent-cache.ts). */
const AGENT_CACHE_SECONDS = 1;

/**
 * Presented (unverified) text bounded for the audit log. The audit hash refuses lone UTF-16
 * surrogates, and a cut can split a pair: either made the refusal's entry fail, so the very
 * attempts worth tracing went unaudited. Lone surrogates become U+FFFD.
 */
function auditText(value: string, max: number): string {
  return value.slice(0, max).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** The (unverified) jti of a client assertion, for tracing replays in the audit log. */
function assertionJti(assertion: string): string | null {
  try {
    const jti = decodeJwt(assertion).jti;
    return typeof jti === 'string' ? auditText(jti, 256) : null;
  } catch {
    return null;
  }
}

const operatorActor = (p: OperatorPrincipal): Actor => ({ kind: 'operator', id: p.operatorId, roles: p.roles });

/**
 * Mandate's authorization server: token endpoint (grants dispatched through GRANTS), client
 * authentication, introspection, revocation and its feed, keys and metadata. Plain inputs,
 * no Fastify (http/routes/oauth.ts translates).
 */
export class OAuthService {
  readonly keys: SigningKeys;
  readonly revocations: Revocations;
  readonly resourceServers: ResourceServers;
  readonly verifier: AccessTokenVerifier;
  readonly issuer: string;
  readonly tokenEndpoint: string;
  private readonly seen: SeenJtis;
  /** Issuance per authenticated agent: only a client's own credentials spend its budget. */
  private readonly buckets: TokenBuckets;
  /** Failed authentications per presented client_id + source address (throttles guessing). */
  private readonly failures: TokenBuckets;
  private readonly authenticated = new AuthenticatedAgents(AGENT_CACHE_SECONDS * 1000);
  private readonly issuances: IssuanceAudit;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribers: Array<() => void> = [];
  private metadataCache: Record<string, unknown> | null = null;

  constructor(private readonly options: OAuthServiceOptions) {
    const { config, store, envelope, clock, audit, registry } = options;
    const o = config.oauth;
    this.issuer = config.issuer.replace(/\/+$/, '');
    this.tokenEndpoint = `${this.issuer}/oauth2/token`;
    const retainSeconds = o.accessTokenTtlMaxSeconds + o.clockSkewSeconds;
    this.keys = new SigningKeys({
      store,
      envelope,
      clock,
      audit,
      algorithm: o.signingAlgorithm,
      policy: { rotationMs: o.signingKeyRotationDays * 86_400_000, publishDelayMs: o.signingKeyPublishDelaySeconds * 1000, retainMs: retainSeconds * 1000 },
    });
    this.revocations = new Revocations({ store, audit, clock, retainAgentMarksSeconds: retainSeconds });
    this.resourceServers = new ResourceServers(store.db, audit, clock, this.issuer);
    this.seen = new SeenJtis(store.db, clock);
    this.issuances = new IssuanceAudit({ append: (events) => audit.append(...events), maxTokens: 200 });
    this.buckets = new TokenBuckets(o.tokenRateLimitPerMinute);
    this.failures = new TokenBuckets(o.clientAuthFailuresPerMinute);
    this.verifier = new AccessTokenVerifier({
      keys: this.keys,
      issuer: this.issuer,
      clock,
      skewSeconds: o.clockSkewSeconds,
      revocations: this.revocations,
      agentByClientId: (clientId) => registry.getByClientId(clientId),
    });
  }

  /** Loads or creates the signing keys, subscribes to agent status changes, starts upkeep timers. */
  async start(): Promise<void> {
    await this.keys.start();
    const { registry } = this.options;
    // The mark, its feed event and their audit entry commit with the status change itself: a
    // crash can never leave a committed suspension that SDK verifiers (who read only the feed)
    // do not hear about. Lock order: agent row (registry), feed head (here), audit head (last).
    this.unsubscribers.push(
      registry.onStatusChangeInTransaction(async (trx, change) => {
        if (mayHoldTokens(change.to)) return [];
        // Later than the change by the agent cache's lifetime: covers tokens that a replica
        // whose cache still held the agent as active issued just after the change.
        const notBefore = epochSeconds(Date.parse(change.at)) + AGENT_CACHE_SECONDS;
        const { events } = await this.revocations.revokeAgentIn(trx, change.agentId, change.clientId, notBefore, change.actor, `agent ${change.action}`);
        return events;
      }),
    );
    // After commit, in-memory only: drop the cached authentication, wake waiting feed readers.
    this.unsubscribers.push(
      registry.onStatusChange((change) => {
        this.authenticated.forget(change.clientId);
        if (!mayHoldTokens(change.to)) this.revocations.published();
      }),
    );
    const every = (ms: number, task: () => Promise<unknown>, what: string) => {
      const timer = setInterval(() => {
        task().catch((error: unknown) => this.options.logger.error({ err: error }, what));
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(KEY_MAINTENANCE_MS, () => this.keys.maintain(), 'signing key maintenance failed');
    every(PRUNE_MS, () => Promise.all([this.seen.prune(), this.revocations.prune()]), 'pruning OAuth state failed');
  }

  /** Stops timers and writes the issuance entries still waiting (before the audit log closes). */
  async stop(): Promise<void> {
    await this.issuances.flush();
    this.revocations.stop();
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  // ---- metadata -------------------------------------------------------------------------

  /**
   * RFC 8414 authorization server metadata. `scopes_supported` lists what the registered
   * resource servers accept (agents' own scopes are per agent and not advertised).
   */
  async metadata(): Promise<Record<string, unknown>> {
    const scopes = [...new Set((await this.resourceServers.list()).flatMap((server) => server.scopes))].sort();
    return { ...this.staticMetadata(), scopes_supported: scopes };
  }

  private staticMetadata(): Record<string, unknown> {
    this.metadataCache ??= {
      issuer: this.issuer,
      token_endpoint: this.tokenEndpoint,
      jwks_uri: `${this.issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${this.issuer}/oauth2/introspect`,
      revocation_endpoint: `${this.issuer}/oauth2/revoke`,
      revocation_feed_endpoint: `${this.issuer}/oauth2/revocations`,
      grant_types_supported: [...GRANTS.keys()],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
      token_endpoint_auth_signing_alg_values_supported: [...CLIENT_SIGNING_ALGORITHMS],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'bearer'],
      revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'bearer'],
      dpop_signing_alg_values_supported: [...CLIENT_SIGNING_ALGORITHMS],
      resource_indicators_supported: true,
      access_token_signing_alg_values_supported: Object.keys(SIGNING_ALGORITHMS),
    };
    return this.metadataCache;
  }

  // ---- the token endpoint -----------------------------------------------------------------

  async token(request: OAuthRequest): Promise<TokenResponse> {
    const now = this.options.clock.now();
    let presented: PresentedCredentials | null = null;
    let agent: Agent | null = null;
    let grantType: string | undefined;
    try {
      const form = parseForm(request.body);
      grantType = form.get('grant_type');
      if (grantType === undefined) throw new InvalidRequest("missing required parameter 'grant_type'");
      const grant = GRANTS.get(grantType);
      if (!grant) throw new UnsupportedGrantType(`grant_type '${grantType}' is not supported; supported: ${[...GRANTS.keys()].join(', ')}`);
      presented = presentedCredentials(request.authorization, form);
      if (!presented) throw new InvalidClient('client authentication is required (client_secret_basic, client_secret_post or private_key_jwt)');
      agent = await this.authenticateAgent(presented, now, request.remoteAddress);
      if (!mayHoldTokens(agent.status)) throw new InvalidClient(`agent '${agent.id}' is ${agent.status}; only active agents get tokens`);
      // Counted after authentication: whoever merely knows a client id cannot spend its budget.
      const wait = this.buckets.take(agent.id, now);
      if (wait > 0) throw new RateLimited(wait);
      const jkt = request.dpop === undefined ? undefined : await this.tokenEndpointProof(request.dpop, now);
      const o = this.options.config.oauth;
      const result = await grant.handler({
        form,
        client: { agent, method: presented.method },
        jkt,
        now,
        issuer: this.issuer,
        ttl: { defaultSeconds: o.accessTokenTtlSeconds, minSeconds: o.accessTokenTtlMinSeconds, maxSeconds: o.accessTokenTtlMaxSeconds },
        keys: this.keys,
        resourceServers: this.resourceServers,
      });
      // Awaited: no token leaves before its audit entry has committed (issuance-audit.ts).
      await this.issuances.record(
        {
          agentId: agent.id,
          grantType,
          authMethod: presented.method,
          scope: result.response.scope,
          aud: result.issued.claims.aud as string | string[],
          dpop: result.response.token_type === 'DPoP',
          extra: result.details,
        },
        { jti: result.issued.jti, exp: result.issued.exp },
      );
      tokensIssued.inc({ grant_type: grantType });
      return result.response;
    } catch (error) {
      if (error instanceof OAuthError) {
        tokenRequestsRefused.inc({ error: error.code });
        await this.auditRefusal('oauth.token.refused', error, presented, agent, { grant_type: grantType ?? null });
        if (error instanceof InvalidClient && presented?.method === 'client_secret_basic') error.withHeaders(BASIC_CHALLENGE);
      }
      throw error;
    }
  }

  private async auditRefusal(type: string, error: OAuthError, presented: PresentedCredentials | null, agent: Agent | null, details: Record<string, unknown>): Promise<void> {
    // Never the secret or the assertion: only what identifies the attempt.
    const actor: Actor = agent ? { kind: 'agent', id: agent.id } : { kind: 'anonymous', id: (presented ? auditText(presented.clientId, 200) : undefined) ?? 'unknown' };
    const event: AuditEvent = {
      type,
      actor,
      action: 'issue',
      outcome: 'denied',
      details: {
        ...details,
        error: error.code,
        description: error.message,
        client_id: (presented ? auditText(presented.clientId, 200) : undefined) ?? null,
        auth_method: presented?.method ?? null,
        ...(presented?.method === 'private_key_jwt' ? { assertion_jti: assertionJti(presented.assertion) } : {}),
      },
      ...(agent ? { subject: agent.id, agentId: agent.id } : {}),
    };
    try {
      await this.options.audit.enqueue(event);
    } catch (auditError) {
      this.options.logger.error({ err: auditError }, 'could not audit a refused OAuth request');
    }
  }

  /**
   * Authenticates an agent by the one method it presented. Failures are counted per presented
   * client_id and source address: once that pair has failed `clientAuthFailuresPerMinute` times
   * it is refused with 429 before any check (no hashing or signature work for a guesser), while
   * the client itself, from its own address, is not affected.
   */
  private async authenticateAgent(presented: PresentedCredentials, now: number, remoteAddress: string | undefined): Promise<Agent> {
    const { registry, config } = this.options;
    const failureKey = `${presented.clientId.slice(0, 200)}\n${remoteAddress ?? 'unknown'}`;
    const blocked = this.failures.peek(failureKey, now);
    if (blocked > 0) throw new RateLimited(blocked);
    try {
      if (presented.method === 'private_key_jwt') {
        const agent = await registry.getByClientId(presented.clientId);
        if (!agent) throw new InvalidClient('unknown client');
        if (!agent.jwks) throw new InvalidClient('this client has no registered keys for private_key_jwt');
        await verifyClientAssertion(presented.assertion, {
          clientId: agent.clientId,
          jwks: agent.jwks as never,
          audiences: [this.issuer, this.tokenEndpoint],
          now,
          skewSeconds: config.oauth.clockSkewSeconds,
          maxLifetimeSeconds: config.oauth.clientAssertionMaxLifetimeSeconds,
          markUsed: (jti, expiresAtMs) => this.seen.use(`assertion:${agent.clientId}:${jti}`, expiresAtMs),
        });
        return agent;
      }
      const cached = this.authenticated.get(presented.clientId, presented.secret, now);
      if (cached) return cached;
      const agent = await registry.authenticateClientSecret(presented.clientId, presented.secret, now);
      if (!agent) throw new InvalidClient('client authentication failed (unknown client or wrong secret)');
      this.authenticated.set(presented.clientId, presented.secret, agent, now);
      return agent;
    } catch (error) {
      if (error instanceof InvalidClient) {
        this.failures.take(failureKey, now);
        const known = await registry.getByClientId(presented.clientId);
        clientAuthFailures.inc({ client_id: known ? known.clientId : 'unknown' });
      }
      throw error;
    }
  }

  private async tokenEndpointProof(header: string | string[], now: number): Promise<string> {
    if (Array.isArray(header)) throw new InvalidDpopProof('send exactly one DPoP header');
    const o = this.options.config.oauth;
    const proof = await verifyDpopProof(header, {
      method: 'POST',
      url: this.tokenEndpoint,
      now,
      maxAgeSeconds: o.dpopProofMaxAgeSeconds,
      skewSeconds: o.clockSkewSeconds,
      markUsed: (jti, jkt, expiresAtMs) => this.seen.use(`dpop:${jkt}:${jti}`, expiresAtMs),
    });
    return proof.jkt;
  }

  // ---- callers of introspection, revocation and the feed ----------------------------------------

  private async operatorCaller(authorization: string, permission: 'tokens:introspect' | 'tokens:revoke'): Promise<Caller> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    const principal = token ? await this.options.resolveOperator(token) : null;
    if (!principal || principal.kind !== 'operator') throw new InvalidClient('the bearer token is not a valid operator token');
    if (!can(principal.roles, permission)) throw new AccessDenied(`role ${principal.roles.join(', ')} may not ${permission}`);
    return { kind: 'operator', operator: principal };
  }

  /** Resource server (client_secret_basic / _post) or operator bearer. */
  private async resourceServerOrOperator(authorization: string | undefined, form: FormParameters): Promise<Caller> {
    if (authorization && /^Bearer\s/i.test(authorization)) {
      if (form.has('client_id') || form.has('client_secret')) throw new InvalidRequest('use exactly one authentication method');
      return this.operatorCaller(authorization, 'tokens:introspect');
    }
    const presented = presentedCredentials(authorization, form);
    if (!presented || presented.method === 'private_key_jwt') {
      throw new InvalidClient('authenticate as a registered resource server (client_secret_basic or client_secret_post) or an operator (Bearer)').withHeaders(BASIC_CHALLENGE);
    }
    const server = await this.resourceServers.authenticate(presented.clientId, presented.secret);
    if (!server) {
      clientAuthFailures.inc({ client_id: 'unknown' });
      const failure = new InvalidClient('resource server authentication failed');
      throw presented.method === 'client_secret_basic' ? failure.withHeaders(BASIC_CHALLENGE) : failure;
    }
    return { kind: 'resource_server', server };
  }

  // ---- introspection (RFC 7662) -----------------------------------------------------------

  async introspect(request: OAuthRequest): Promise<Record<string, unknown>> {
    const form = parseForm(request.body);
    const caller = await this.resourceServerOrOperator(request.authorization, form);
    const token = form.get('token');
    if (token === undefined) throw new InvalidRequest("missing required parameter 'token'");
    // A resource server sees only tokens meant for it; operators see every token.
    const audience = caller.kind === 'resource_server' ? caller.server.audience : null;
    let claims: AccessTokenClaims;
    try {
      ({ claims } = await this.verifier.verify(token, audience));
    } catch (error) {
      if (error instanceof OAuthError) return { active: false };
      throw error;
    }
    const { iss, sub, aud, exp, iat, jti, client_id, scope, cnf, agent, act } = claims;
    return {
      active: true,
      iss,
      sub,
      aud,
      exp,
      iat,
      jti,
      client_id,
      scope,
      token_type: cnf?.jkt ? 'DPoP' : 'Bearer',
      ...(cnf ? { cnf } : {}),
      ...(agent ? { agent } : {}),
      ...(act ? { act } : {}),
    };
  }

  // ---- revocation (RFC 7009) --------------------------------------------------------------

  /** The agent revokes its own tokens with its client authentication; operators (tokens:revoke) any. */
  async revoke(request: OAuthRequest): Promise<void> {
    const now = this.options.clock.now();
    const form = parseForm(request.body);
    let caller: Caller;
    if (request.authorization && /^Bearer\s/i.test(request.authorization)) {
      caller = await this.operatorCaller(request.authorization, 'tokens:revoke');
    } else {
      const presented = presentedCredentials(request.authorization, form);
      if (!presented) throw new InvalidClient('client authentication is required').withHeaders(BASIC_CHALLENGE);
      try {
        caller = { kind: 'agent', agent: await this.authenticateAgent(presented, now, request.remoteAddress) };
      } catch (error) {
        if (error instanceof InvalidClient && presented.method === 'client_secret_basic') error.withHeaders(BASIC_CHALLENGE);
        throw error;
      }
    }
    const token = form.get('token');
    if (token === undefined) throw new InvalidRequest("missing required parameter 'token'");
    // token_type_hint needs no handling: Mandate issues access tokens only, and RFC 7009 §2.1
    // says an unknown hint is ignored.
    const claims = await this.verifier.signedClaims(token);
    // RFC 7009 §2.2: invalid, expired or foreign-issuer tokens need no revocation: answer 200.
    if (!claims) return;
    let agentId: string | null;
    let actor: Actor;
    if (caller.kind === 'agent') {
      if (claims.client_id !== caller.agent.clientId) throw new UnauthorizedClient('this token was not issued to the authenticated client');
      agentId = caller.agent.id;
      actor = { kind: 'agent', id: caller.agent.id };
    } else {
      agentId = (await this.options.registry.getByClientId(claims.client_id))?.id ?? null;
      actor = caller.kind === 'operator' ? operatorActor(caller.operator) : { kind: 'system', id: 'oauth' };
    }
    await this.revocations.revokeToken({ jti: claims.jti, exp: claims.exp, agentId, clientId: claims.client_id }, actor, 'revocation endpoint');
  }

  // ---- revocation feed ----------------------------------------------------------------------

  async feed(request: { authorization?: string | undefined; after?: string | undefined; wait?: string | undefined; limit?: string | undefined }, signal?: AbortSignal): Promise<FeedPage> {
    const integer = (name: string, value: string | undefined, min: number, max: number, fallback: number): number => {
      if (value === undefined || value === '') return fallback;
      if (!/^\d{1,15}$/.test(value)) throw new InvalidRequest(`${name} must be a non-negative integer`);
      const n = Number(value);
      if (n < min) throw new InvalidRequest(`${name} must be at least ${min}`);
      return Math.min(n, max);
    };
    const after = integer('after', request.after, 0, Number.MAX_SAFE_INTEGER, 0);
    const wait = integer('wait', request.wait, 0, this.options.config.oauth.revocationFeedMaxWaitSeconds, 0);
    const limit = integer('limit', request.limit, 1, 1000, 500);
    await this.resourceServerOrOperator(request.authorization, new Map());
    return this.revocations.wait(after, limit, wait * 1000, signal);
  }

  // ---- /v1 authentication of agents ---------------------------------------------------------

  /**
   * Resolves Mandate access tokens on /v1 (audience: the issuer). DPoP-bound tokens need the
   * `DPoP` scheme and a proof for this request with `ath`; a bound token sent as Bearer, or a
   * Bearer token sent as DPoP, is refused (RFC 9449 §7.1).
   */
  credentialResolver(): CredentialResolver {
    return {
      recognises: (credential) => JWT_SHAPE.test(credential),
      resolve: async (token, request) => {
        try {
          const { claims, agent } = await this.verifier.verify(token, this.issuer);
          const scheme = /^(\S+)\s/.exec(request?.headers.authorization?.toString() ?? '')?.[1]?.toLowerCase();
          if (claims.cnf?.jkt) {
            if (scheme !== 'dpop' || !request) return null;
            const header = request.headers.dpop;
            if (typeof header !== 'string') return null;
            const o = this.options.config.oauth;
            const proof = await verifyDpopProof(header, {
              method: request.method,
              url: `${this.issuer}${request.url}`,
              accessToken: token,
              now: this.options.clock.now(),
              maxAgeSeconds: o.dpopProofMaxAgeSeconds,
              skewSeconds: o.clockSkewSeconds,
              markUsed: (jti, jkt, expiresAtMs) => this.seen.use(`dpop:${jkt}:${jti}`, expiresAtMs),
            });
            if (proof.jkt !== claims.cnf.jkt) return null;
          } else if (scheme === 'dpop') {
            return null;
          }
          return { kind: 'agent', agentId: agent.id, clientId: agent.clientId, claims: claims as Record<string, unknown>, token };
        } catch (error) {
          if (error instanceof OAuthError) return null;
          throw error;
        }
      },
    };
  }
}
