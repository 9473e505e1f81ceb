import type { Config } from '../config/schema.js';
import type { RegistryService } from '../registry/index.js';
import type { Agent } from '../registry/index.js';
import { AuthenticatedAgents } from './agent-cache.js';
import { statusRefusal } from './agent-status.js';
import { verifyClientAssertion, type PresentedCredentials } from './client-auth.js';
import { InvalidClient, RateLimited } from './errors.js';
import { clientAuthFailures } from './metrics.js';
import { TokenBuckets } from './rate-limit.js';
import type { SeenJtis } from './replay.js';
import { authenticateByCertificate, type ClientCertificates } from './tls-client-auth.js';
import { authenticateFederated, type FederatedAssertions } from './federated-assertion.js';

/** How long a successful client-secret authentication is reused (agent-cache.ts). */
export const AGENT_CACHE_SECONDS = 1;

export interface AgentAuthenticationOptions {
  registry: RegistryService;
  settings: Config['oauth'];
  seen: SeenJtis;
  /** Accepted `aud` values of a client assertion: the issuer and the token endpoint URL (RFC 7523 §3). */
  assertionAudiences: string[];
  /** tls_client_auth (RFC 8705): who presented certificates belong to; absent, the method is refused. */
  certificates?: ClientCertificates | undefined;
  /** Client assertions from trusted workload issuers (federation); absent, none is trusted. */
  federation?: FederatedAssertions | undefined;
}

/**
 * Client authentication of agents (the token and revocation endpoints): checks what the
 * request presented (client-auth.ts reads it) against the registry. Failures are counted per
 * presented client_id and source address: once that pair has failed
 * `clientAuthFailuresPerMinute` times it is refused with 429 before any check (no hashing or
 * signature work for a guesser), while the client itself, from its own address, is not
 * affected. A client-secret success is reused for a second (agent-cache.ts).
 */
export class AgentAuthentication {
  /** Failed authentications per presented client_id + source address (throttles guessing). */
  private readonly failures: TokenBuckets;
  private readonly authenticated = new AuthenticatedAgents(AGENT_CACHE_SECONDS * 1000);

  constructor(private readonly options: AgentAuthenticationOptions) {
    this.failures = new TokenBuckets(options.settings.clientAuthFailuresPerMinute);
  }

  /** The agent the presented credentials authenticate; InvalidClient or RateLimited otherwise. */
  async authenticate(presented: PresentedCredentials, now: number, remoteAddress: string | undefined): Promise<Agent> {
    const { registry } = this.options;
    const failureKey = `${presented.clientId.slice(0, 200)}\n${remoteAddress ?? 'unknown'}`;
    const blocked = this.failures.peek(failureKey, now);
    if (blocked > 0) throw new RateLimited(blocked);
    try {
      if (presented.method === 'private_key_jwt') {
        const federated = await authenticateFederated(this.options.federation, (id) => registry.find(id), presented.assertion, now, this.options.assertionAudiences);
        if (federated) return federated;
      }
      if (presented.method === 'tls_client_auth') return await authenticateByCertificate((id) => registry.getByClientId(id), this.options.certificates, presented, now);
      return presented.method === 'private_key_jwt' ? await this.byAssertion(presented.clientId, presented.assertion, now) : await this.bySecret(presented.clientId, presented.secret, now);
    } catch (error) {
      if (error instanceof InvalidClient) {
        this.failures.take(failureKey, now);
        const known = await registry.getByClientId(presented.clientId);
        clientAuthFailures.inc({ client_id: known ? known.clientId : 'unknown' });
        // Decommissioning drops the secrets, so a retired agent can no longer authenticate; it
        // is told its status like a suspended or deprecated one rather than "wrong secret".
        // Decommissioned is terminal: knowing it gives a stranger with the client id nothing to use.
        if (known?.status === 'decommissioned') throw new InvalidClient(statusRefusal(known));
      }
      throw error;
    }
  }

  /** Drops a cached authentication (the agent's status changed on this replica). */
  forget(clientId: string): void {
    this.authenticated.forget(clientId);
  }

  private async byAssertion(clientId: string, assertion: string, now: number): Promise<Agent> {
    const { registry, settings, seen, assertionAudiences } = this.options;
    const agent = await registry.getByClientId(clientId);
    if (!agent) throw new InvalidClient('unknown client');
    if (!agent.jwks) throw new InvalidClient('this client has no registered keys for private_key_jwt');
    await verifyClientAssertion(assertion, {
      clientId: agent.clientId,
      jwks: agent.jwks as never,
      audiences: assertionAudiences,
      now,
      skewSeconds: settings.clockSkewSeconds,
      maxLifetimeSeconds: settings.clientAssertionMaxLifetimeSeconds,
      markUsed: (jti, expiresAtMs) => seen.use(`assertion:${agent.clientId}:${jti}`, expiresAtMs),
    });
    return agent;
  }

  private async bySecret(clientId: string, secret: string, now: number): Promise<Agent> {
    const cached = this.authenticated.get(clientId, secret, now);
    if (cached) return cached;
    const agent = await this.options.registry.authenticateClientSecret(clientId, secret, now);
    if (!agent) throw new InvalidClient('client authentication failed (unknown client or wrong secret)');
    this.authenticated.set(clientId, secret, agent, now);
    return agent;
  }
}
