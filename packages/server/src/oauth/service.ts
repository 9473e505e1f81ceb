import { readFileSync } from 'node:fs';
import type { DelegationService } from '../delegation/index.js';
import type { Foundation } from '../foundation.js';
import type { AgentTokenSource, ProofOfPossession, ResourceServerResolver } from '../identity/index.js';
import type { RegistryService } from '../registry/index.js';
import type { JobHandle } from '../scheduler/index.js';
import type { AuditEvent } from '../audit/index.js';
import { epochSeconds } from '../shared/clock.js';
import type { RevokedCredential } from '../shared/revoked.js';
import type { Tx } from '../storage/index.js';
import { AgentAuthentication } from './agent-authentication.js';
import { EndpointCallers, type CallerIdentity } from './callers.js';
import { DpopProofs } from './dpop-proofs.js';
import { FeedEndpoint } from './endpoints/feed.js';
import { IntrospectionEndpoint } from './endpoints/introspect.js';
import { MetadataEndpoint } from './endpoints/metadata.js';
import type { FeedRequest, OAuthRequest } from './endpoints/request.js';
import { RevocationEndpoint } from './endpoints/revoke.js';
import { TokenEndpoint } from './endpoints/token.js';
import type { TokenResponse } from './grants/types.js';
import { agentTokenSource, resourceServerResolver } from './identity-ports.js';
import { IssuanceAudit } from './issuance-audit.js';
import { scheduleOAuthJobs } from './jobs.js';
import { SigningKeys } from './keys/signing-keys.js';
import { RefusalAudit } from './refusals.js';
import { SeenJtis } from './replay.js';
import { ResourceServers } from './resource-servers.js';
import { Revocations, type FeedPage } from './revocation.js';
import { TaskTokens, type TaskCheck } from './task-tokens.js';
import { followAgentStatus } from './status-changes.js';
import { AccessTokenVerifier } from './verifier.js';
import { CERTIFICATE_METADATA, type ClientCertificates } from './tls-client-auth.js';
import type { Actor } from '../audit/index.js';
import type { Agent } from '../registry/index.js';
import type { AgentDirectory } from '../identity/index.js';
import { CimdDocuments } from './cimd/documents.js';
import { isLoopbackHost } from './cimd/addresses.js';
import { ClientDirectory, isMetadataDocumentUrl } from './client-directory.js';
import { Clients } from './clients.js';
import { pruneCodes } from './codes.js';
import { Consents, type Consent } from './consents.js';
import { AuthorizationEndpoint, type AuthorizeOutcome, type SignedInPerson } from './endpoints/authorize.js';
import { PeopleTokenEndpoint } from './endpoints/people-token.js';
import { personClientAgent } from './person-client-agent.js';
import { RefreshFamilies } from './refresh-families.js';
import type { FederatedAssertions } from './federated-assertion.js';

export type { FeedRequest, OAuthRequest };

export interface OAuthServiceOptions extends Foundation {
  registry: RegistryService;
  /** Who the callers of introspection, revocation and the feed are (identity's Authenticator). */
  identity: CallerIdentity;
  /** tls_client_auth with agents' X.509-SVIDs (RFC 8705), served when the TLS listener is on (workload context). */
  clientCertificates?: ClientCertificates | undefined;
  /** Workload identity federation: assertions from trusted workload issuers (workload context). */
  federation?: FederatedAssertions | undefined;
}

/**
 * Mandate's authorization server, as the composition root and the routes see it: one method per
 * endpoint, each a use case of its own (endpoints/), the signing keys, resource servers and
 * revocation state, and the ports identity needs to accept agents' tokens and resource
 * servers' credentials. Plain inputs, no Fastify (http/routes/oauth.ts translates).
 */
export class OAuthService {
  readonly keys: SigningKeys;
  readonly revocations: Revocations;
  readonly resourceServers: ResourceServers;
  readonly verifier: AccessTokenVerifier;
  readonly issuer: string;
  readonly tokenEndpoint: string;
  /** DPoP proofs at the token endpoint and with bound tokens on /v1 (identity's proof of possession). */
  private readonly proofs: DpopProofs;
  private readonly seen: SeenJtis;
  private readonly agents: AgentAuthentication;
  private readonly issuances: IssuanceAudit;
  private readonly endpoints: {
    token: TokenEndpoint;
    introspect: IntrospectionEndpoint;
    revoke: RevocationEndpoint;
    feed: FeedEndpoint;
    metadata: MetadataEndpoint;
    authorize: AuthorizationEndpoint;
  };
  /** People's pre-registered clients (`/v1/clients`). */
  readonly clients: Clients;
  /** People's consents (`/v1/consents`). */
  readonly consents: Consents;
  private readonly directory: ClientDirectory;
  private readonly families: RefreshFamilies;
  private jobs: JobHandle[] = [];
  private delegation: DelegationService | null = null;
  private readonly taskTokens: TaskTokens;
  private unfollow: (() => void) | null = null;

  constructor(private readonly options: OAuthServiceOptions) {
    const { config, store, envelope, clock, audit, logger, scheduler, registry, identity, notifier } = options;
    const settings = config.oauth;
    this.issuer = config.issuer.replace(/\/+$/, '');
    this.tokenEndpoint = `${this.issuer}/oauth2/token`;
    const retainSeconds = settings.accessTokenTtlMaxSeconds + settings.clockSkewSeconds;
    this.keys = new SigningKeys({
      store,
      notifier,
      envelope,
      clock,
      audit,
      algorithm: settings.signingAlgorithm,
      policy: { rotationMs: settings.signingKeyRotationDays * 86_400_000, publishDelayMs: settings.signingKeyPublishDelaySeconds * 1000, retainMs: retainSeconds * 1000 },
    });
    this.revocations = new Revocations({ store, audit, clock, retainAgentMarksSeconds: retainSeconds, scheduler, notifier });
    this.taskTokens = new TaskTokens(store, this.revocations);
    this.resourceServers = new ResourceServers(store.db, audit, clock, this.issuer);
    this.seen = new SeenJtis(store.db, clock);
    this.issuances = new IssuanceAudit({ append: (events) => audit.append(...events), maxTokens: 200 });
    this.verifier = new AccessTokenVerifier({
      keys: this.keys,
      issuer: this.issuer,
      clock,
      skewSeconds: settings.clockSkewSeconds,
      revocations: this.revocations,
      agentByClientId: (clientId) => this.tokenHolder(clientId),
    });
    const people = config.authorization;
    this.clients = new Clients(store.db, audit, clock);
    this.consents = new Consents(store.db, audit, clock);
    this.families = new RefreshFamilies(this.revocations);
    // Development on a loopback issuer: metadata documents may be served over http from loopback hosts.
    const issuerUrl = new URL(this.issuer);
    const documents = new CimdDocuments({
      clock,
      maxBytes: people.cimdMaxBytes,
      timeoutMs: people.cimdTimeoutMs,
      allowLoopback: issuerUrl.protocol === 'http:' && isLoopbackHost(issuerUrl.hostname),
      maxEntries: people.cimdCacheEntries,
      ca: people.cimdCaFile === undefined ? undefined : readFileSync(people.cimdCaFile, 'utf8'),
      minCacheSeconds: people.cimdCacheMinSeconds,
      maxCacheSeconds: people.cimdCacheMaxSeconds,
      maxConcurrentFetches: people.cimdMaxConcurrentFetches,
    });
    this.directory = new ClientDirectory({ clients: this.clients, documents, trust: people.cimdTrust, allowedHosts: people.cimdAllowedHosts });
    const refusals = new RefusalAudit(audit, logger);
    this.proofs = new DpopProofs({ issuer: this.issuer, tokenEndpoint: this.tokenEndpoint, settings, clock, seen: this.seen });
    this.agents = new AgentAuthentication({ registry, settings, seen: this.seen, assertionAudiences: [this.issuer, this.tokenEndpoint], certificates: options.clientCertificates, federation: options.federation });
    const callers = new EndpointCallers(identity);
    this.endpoints = {
      token: new TokenEndpoint({
        issuer: this.issuer,
        settings,
        clock,
        keys: this.keys,
        resourceServers: this.resourceServers,
        agents: this.agents,
        proofs: this.proofs,
        issuances: this.issuances,
        refusals,
        verifier: this.verifier,
        delegation: () => this.delegation,
        taskTokens: this.taskTokens,
        people: new PeopleTokenEndpoint({ issuer: this.issuer, settings, authorization: people, clock, keys: this.keys, audit, clients: this.clients, directory: this.directory, families: this.families, refusals }),
      }),
      introspect: new IntrospectionEndpoint(callers, this.verifier),
      revoke: new RevocationEndpoint({ callers, agents: this.agents, verifier: this.verifier, revocations: this.revocations, registry, clock }),
      feed: new FeedEndpoint(callers, this.revocations, settings.revocationFeedMaxWaitSeconds),
      metadata: new MetadataEndpoint(this.issuer, this.tokenEndpoint, this.resourceServers, options.clientCertificates ? CERTIFICATE_METADATA : {}),
      authorize: new AuthorizationEndpoint({ issuer: this.issuer, settings: people, clock, audit, directory: this.directory, consents: this.consents, resourceServers: this.resourceServers, refusals }),
    };
  }

  /** Token exchange and ID-JAG call the delegation context (built after approvals, so wired here). */
  acceptDelegation(delegation: DelegationService): void {
    this.delegation = delegation;
  }

  /**
   * Tokens issued with a task id: `check` is the tasks context's `checkOpen` (built after
   * OAuth, so wired here); the returned hook goes to `tasks.onClose` and revokes them.
   */
  acceptTasks(check: TaskCheck): (trx: Tx, task: { id: string }) => Promise<{ events: AuditEvent[]; revoked: RevokedCredential[] }> {
    this.taskTokens.accept(check);
    // Waiting feed long-polls learn of the events from the head watcher (one poll interval).
    return (trx, task) => this.taskTokens.revokeForTaskIn(trx, task.id, epochSeconds(this.options.clock.now()));
  }

  /** Loads or creates the signing keys, follows agents' status changes, schedules upkeep. */
  async start(): Promise<void> {
    await this.keys.start();
    this.unfollow = followAgentStatus(this.options.registry, this.revocations, this.agents);
    this.jobs = scheduleOAuthJobs(this.options.scheduler, { keys: this.keys, seen: this.seen, revocations: this.revocations, peopleGrants: () => this.prunePeopleGrants() });
  }

  /** Cancels upkeep and writes the issuance entries still waiting (before the audit log closes). */
  async stop(): Promise<void> {
    await this.issuances.flush();
    this.revocations.stop();
    for (const job of this.jobs.splice(0)) job.cancel();
    this.unfollow?.();
    this.unfollow = null;
  }

  /** The authorization endpoint (people's clients), from the browser at `address`; `decision` is the consent page's answer. */
  authorize(query: Record<string, unknown>, person: SignedInPerson | null, address: string, decision?: 'allow' | 'deny'): Promise<AuthorizeOutcome> {
    return this.endpoints.authorize.handle(query, person, address, decision);
  }

  /**
   * Revokes a consent (`owner`: only that person's own) and ends the grants the client holds for
   * that person: its refresh tokens stop and its access tokens are revoked.
   */
  async revokeConsent(id: string, actor: Actor, owner?: string): Promise<Consent> {
    const consent = await this.consents.revoke(id, actor, owner);
    await this.options.audit.withEntry(async (trx) => {
      const events = [];
      for (const family of await this.families.liveFamilies(trx, consent.userId, consent.clientId)) events.push(...(await this.families.end(trx, family, actor, 'consent revoked', this.options.clock.now())));
      return { result: null, events };
    });
    return consent;
  }

  /**
   * Who holds a token with this client_id: a registered agent, or a person's client (registered,
   * or named by its metadata document URL) in the agent shape the decision point reads.
   */
  private async tokenHolder(clientId: string): Promise<Agent | null> {
    const agent = await this.options.registry.getByClientId(clientId);
    if (agent) return agent;
    if (isMetadataDocumentUrl(clientId)) return personClientAgent({ clientId, name: new URL(clientId).host }, this.options.clock.now());
    const client = await this.clients.find(clientId);
    return client ? personClientAgent(client, this.options.clock.now()) : null;
  }

  /** The token holders /v1 and the decision point know: the registry's agents and people's clients. */
  tokenHolders(): AgentDirectory {
    const registry = this.options.registry;
    return {
      getByClientId: (clientId) => this.tokenHolder(clientId),
      onStatusChange: (listener) => registry.onStatusChange(listener),
      onUpdate: (listener) => registry.onUpdate(listener),
    };
  }

  private async prunePeopleGrants(): Promise<void> {
    const now = epochSeconds(this.options.clock.now());
    await this.options.store.transaction(async (trx) => {
      await pruneCodes(trx, now);
      await this.families.prune(trx, now);
    });
  }

  /** RFC 8414 authorization server metadata. */
  metadata(): Promise<Record<string, unknown>> {
    return this.endpoints.metadata.handle();
  }

  /** The token endpoint (grants/). */
  token(request: OAuthRequest): Promise<TokenResponse> {
    return this.endpoints.token.handle(request);
  }

  /** Introspection (RFC 7662). */
  introspect(request: OAuthRequest): Promise<Record<string, unknown>> {
    return this.endpoints.introspect.handle(request);
  }

  /** Revocation (RFC 7009). */
  revoke(request: OAuthRequest): Promise<void> {
    return this.endpoints.revoke.handle(request);
  }

  /** The revocation feed (long-poll). */
  feed(request: FeedRequest, signal?: AbortSignal): Promise<FeedPage> {
    return this.endpoints.feed.handle(request, signal);
  }

  /** The revocation feed's head sequence: every revocation moves it. */
  revocationHead(): Promise<number> {
    return this.revocations.head();
  }

  /** What identity needs to accept agents' access tokens on /v1 (one cached check per token). */
  agentTokens(): AgentTokenSource {
    return agentTokenSource(this.verifier, this.revocations, this.keys);
  }

  /** What identity needs to accept resource servers' client credentials. */
  resourceServerCredentials(): ResourceServerResolver {
    return resourceServerResolver(this.resourceServers);
  }

  /** identity's proof of possession for DPoP-bound tokens on /v1. */
  proofOfPossession(): ProofOfPossession {
    return this.proofs;
  }
}
