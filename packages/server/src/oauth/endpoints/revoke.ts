import type { Actor } from '../../audit/index.js';
import type { RegistryService } from '../../registry/index.js';
import type { Agent } from '../../registry/index.js';
import type { Clock } from '../../shared/clock.js';
import type { AgentAuthentication } from '../agent-authentication.js';
import type { EndpointCallers } from '../callers.js';
import { presentedCredentials } from '../client-auth.js';
import { BASIC_CHALLENGE, InvalidClient, InvalidRequest, UnauthorizedClient } from '../errors.js';
import { parseForm, type FormParameters } from '../form.js';
import type { Revocations } from '../revocation.js';
import type { AccessTokenVerifier } from '../verifier.js';
import type { OAuthRequest } from './request.js';

export interface RevocationEndpointOptions {
  callers: EndpointCallers;
  agents: AgentAuthentication;
  verifier: AccessTokenVerifier;
  revocations: Revocations;
  registry: RegistryService;
  clock: Clock;
}

/**
 * Token revocation (RFC 7009): an agent revokes its own tokens with its client
 * authentication; operators (`tokens:revoke`) revoke any.
 */
export class RevocationEndpoint {
  constructor(private readonly options: RevocationEndpointOptions) {}

  async handle(request: OAuthRequest): Promise<void> {
    const { callers, verifier, revocations, registry } = this.options;
    const form = parseForm(request.body);
    let actor: Actor;
    let agent: Agent | null = null;
    if (request.authorization && /^Bearer\s/i.test(request.authorization)) {
      const operator = await callers.operator(request.authorization, 'tokens:revoke');
      actor = { kind: 'operator', id: operator.operatorId, roles: operator.roles };
    } else {
      agent = await this.authenticatedAgent(request, form);
      actor = { kind: 'agent', id: agent.id };
    }
    const token = form.get('token');
    if (token === undefined) throw new InvalidRequest("missing required parameter 'token'");
    // token_type_hint needs no handling: Mandate issues access tokens only, and RFC 7009 §2.1
    // says an unknown hint is ignored.
    const claims = await verifier.signedClaims(token);
    // RFC 7009 §2.2: invalid, expired or foreign-issuer tokens need no revocation: answer 200.
    if (!claims) return;
    if (agent && claims.client_id !== agent.clientId) throw new UnauthorizedClient('this token was not issued to the authenticated client');
    const agentId = agent ? agent.id : ((await registry.getByClientId(claims.client_id))?.id ?? null);
    await revocations.revokeToken({ jti: claims.jti, exp: claims.exp, agentId, clientId: claims.client_id }, actor, 'revocation endpoint');
  }

  private async authenticatedAgent(request: OAuthRequest, form: FormParameters): Promise<Agent> {
    const presented = presentedCredentials(request.authorization, form);
    if (!presented) throw new InvalidClient('client authentication is required').withHeaders(BASIC_CHALLENGE);
    try {
      return await this.options.agents.authenticate(presented, this.options.clock.now(), request.remoteAddress);
    } catch (error) {
      if (error instanceof InvalidClient && presented.method === 'client_secret_basic') error.withHeaders(BASIC_CHALLENGE);
      throw error;
    }
  }
}
