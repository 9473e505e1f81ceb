import type { EndpointCallers } from '../callers.js';
import { InvalidRequest, OAuthError } from '../errors.js';
import { parseForm } from '../form.js';
import type { AccessTokenClaims, AccessTokenVerifier } from '../verifier.js';
import type { OAuthRequest } from './request.js';

/**
 * Token introspection (RFC 7662) for resource servers and operators (`tokens:introspect`). A
 * resource server sees only tokens meant for it (any other is `active: false`); operators see
 * every token. `scope` is what the token can still do: its scope claim narrowed to the scopes
 * the agent holds now (a scope removed from the agent after issuance is not reported), as the
 * decision point counts it.
 */
export class IntrospectionEndpoint {
  constructor(
    private readonly callers: EndpointCallers,
    private readonly verifier: AccessTokenVerifier,
  ) {}

  async handle(request: OAuthRequest): Promise<Record<string, unknown>> {
    const form = parseForm(request.body);
    const caller = await this.callers.resourceServerOrOperator(request.authorization, form);
    const token = form.get('token');
    if (token === undefined) throw new InvalidRequest("missing required parameter 'token'");
    const audience = caller.kind === 'resource_server' ? caller.server.audience : null;
    let claims: AccessTokenClaims;
    let held: Set<string>;
    try {
      const verified = await this.verifier.verify(token, audience);
      claims = verified.claims;
      held = new Set(verified.agent.scopes);
    } catch (error) {
      if (error instanceof OAuthError) return { active: false };
      throw error;
    }
    const { iss, sub, aud, exp, iat, jti, client_id, cnf, agent, act } = claims;
    const scope = typeof claims.scope === 'string' ? claims.scope.split(' ').filter((s) => s !== '' && held.has(s)).join(' ') : claims.scope;
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
}
