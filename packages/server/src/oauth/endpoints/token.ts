import type { Config } from '../../config/schema.js';
import type { Agent } from '../../registry/index.js';
import type { Clock } from '../../shared/clock.js';
import type { AgentAuthentication } from '../agent-authentication.js';
import { mayHoldTokens, statusRefusal } from '../agent-status.js';
import { presentedCredentials, type PresentedCredentials } from '../client-auth.js';
import { certificateThumbprint, presentedCertificate } from '../tls-client-auth.js';
import type { DpopProofs } from '../dpop-proofs.js';
import { BASIC_CHALLENGE, InvalidClient, InvalidRequest, OAuthError, RateLimited, UnsupportedGrantType } from '../errors.js';
import { parseForm } from '../form.js';
import { GRANTS } from '../grants/index.js';
import { PEOPLE_GRANTS } from '../grants/people.js';
import type { PeopleTokenEndpoint } from './people-token.js';
import type { TokenResponse } from '../grants/types.js';
import { issuanceEvent, type IssuanceAudit, type IssuanceKind } from '../issuance-audit.js';
import type { SigningKeys } from '../keys/signing-keys.js';
import type { AccessTokenVerifier } from '../verifier.js';
import type { DelegationService } from '../../delegation/index.js';
import { tokenRequestsRefused, tokensIssued } from '../metrics.js';
import { TokenBuckets } from '../rate-limit.js';
import type { RefusalAudit } from '../refusals.js';
import type { ResourceServers } from '../resource-servers.js';
import type { TaskTokens } from '../task-tokens.js';
import type { OAuthRequest } from './request.js';

export interface TokenEndpointOptions {
  issuer: string;
  settings: Config['oauth'];
  clock: Clock;
  keys: SigningKeys;
  resourceServers: ResourceServers;
  agents: AgentAuthentication;
  proofs: DpopProofs;
  issuances: IssuanceAudit;
  refusals: RefusalAudit;
  verifier: AccessTokenVerifier;
  /** Set once the runtime has built the delegation context (token exchange, ID-JAG). */
  delegation: () => DelegationService | null;
  /** Tokens issued with a task id (`task_id`): checked, recorded, revoked when the task ends. */
  taskTokens: TaskTokens;
  /** People's clients' grants (authorization code, refresh token): their own client authentication. */
  people: PeopleTokenEndpoint;
}

/**
 * The token endpoint (RFC 6749 §3.2): authenticates the agent, spends its issuance budget,
 * checks a DPoP proof, and hands the request to its grant (grants/, dispatched through
 * GRANTS). No token leaves before its audit entry has committed; every refusal is audited.
 */
export class TokenEndpoint {
  /** Issuance per authenticated agent: only a client's own credentials spend its budget. */
  private readonly buckets: TokenBuckets;

  constructor(private readonly options: TokenEndpointOptions) {
    this.buckets = new TokenBuckets(options.settings.tokenRateLimitPerMinute);
  }

  async handle(request: OAuthRequest): Promise<TokenResponse> {
    const people = peopleGrantOf(request.body);
    if (people) return this.options.people.handle(people.grant, people.form, request.authorization, request.remoteAddress);
    const { clock, settings, agents, proofs } = this.options;
    const now = clock.now();
    let presented: PresentedCredentials | null = null;
    let agent: Agent | null = null;
    let grantType: string | undefined;
    try {
      const form = parseForm(request.body);
      grantType = form.get('grant_type');
      if (grantType === undefined) throw new InvalidRequest("missing required parameter 'grant_type'");
      const grant = GRANTS.get(grantType);
      if (!grant) throw new UnsupportedGrantType(`grant_type '${grantType}' is not supported; supported: ${[...GRANTS.keys(), ...PEOPLE_GRANTS.keys()].join(', ')}`);
      presented = presentedCredentials(request.authorization, form) ?? presentedCertificate(form, request.clientCertificate);
      if (!presented) throw new InvalidClient('client authentication is required (client_secret_basic, client_secret_post, private_key_jwt or tls_client_auth)');
      agent = await agents.authenticate(presented, now, request.remoteAddress);
      if (!mayHoldTokens(agent.status)) throw new InvalidClient(statusRefusal(agent));
      // Counted after authentication: whoever merely knows a client id cannot spend its budget.
      const wait = this.buckets.take(agent.id, now);
      if (wait > 0) throw new RateLimited(wait);
      const jkt = request.dpop === undefined ? undefined : await proofs.forTokenRequest(request.dpop, now);
      // RFC 8705 §3: a token got with the client certificate is bound to it.
      const x5t = presented.method === 'tls_client_auth' ? certificateThumbprint(presented.certificate) : undefined;
      if (x5t && jkt) throw new InvalidRequest('bind a token to the client certificate or to a DPoP key, not both');
      const taskId = form.get('task_id');
      if (taskId !== undefined) {
        if (!grant.parameters.includes('task_id')) throw new InvalidRequest(`task_id is accepted only with grant_type client_credentials, not '${grantType}'`);
        await this.options.taskTokens.checkOpen(taskId, agent.id);
      }
      const result = await grant.handler({
        form,
        taskId,
        client: { agent, method: presented.method },
        jkt,
        ...(x5t ? { x5t } : {}),
        now,
        issuer: this.options.issuer,
        ttl: { defaultSeconds: settings.accessTokenTtlSeconds, minSeconds: settings.accessTokenTtlMinSeconds, maxSeconds: settings.accessTokenTtlMaxSeconds },
        keys: this.options.keys,
        resourceServers: this.options.resourceServers,
        verifier: this.options.verifier,
        delegation: this.options.delegation(),
      });
      if (taskId !== undefined) await this.options.taskTokens.record(taskId, { jti: result.issued.jti, exp: result.issued.exp, agentId: agent.id, clientId: agent.clientId });
      const kind: IssuanceKind = {
        agentId: agent.id,
        grantType,
        authMethod: presented.method,
        scope: result.response.scope,
        aud: result.issued.claims.aud as string | string[],
        dpop: result.response.token_type === 'DPoP',
        extra: result.details,
      };
      const token = { jti: result.issued.jti, exp: result.issued.exp };
      // Awaited: no token leaves before its audit entry has committed (issuance-audit.ts), with
      // the grant's own change when it has one (GrantResult `commit`).
      if (result.commit) await result.commit(issuanceEvent(kind, [token]));
      else await this.options.issuances.record(kind, token);
      tokensIssued.inc({ grant_type: grantType });
      return result.response;
    } catch (error) {
      if (error instanceof OAuthError) {
        tokenRequestsRefused.inc({ error: error.code });
        await this.options.refusals.record('oauth.token.refused', error, { presented, agent, details: { grant_type: grantType ?? null } });
        if (error instanceof InvalidClient && presented?.method === 'client_secret_basic') error.withHeaders(BASIC_CHALLENGE);
      }
      throw error;
    }
  }
}

/** A request for a people's grant, or null (any other grant, or a form the agents' path will refuse with its own error). */
function peopleGrantOf(body: string): { grant: NonNullable<ReturnType<typeof PEOPLE_GRANTS.get>>; form: ReturnType<typeof parseForm> } | null {
  let form;
  try {
    form = parseForm(body);
  } catch {
    return null;
  }
  const grant = PEOPLE_GRANTS.get(form.get('grant_type') ?? '');
  return grant ? { grant, form } : null;
}
