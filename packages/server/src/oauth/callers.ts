import type { Authenticator, OperatorPrincipal, ResourceServerPrincipal } from '../identity/index.js';
import { bearerToken } from '../identity/index.js';
import { can } from '../operators/index.js';
import { presentedCredentials } from './client-auth.js';
import { AccessDenied, BASIC_CHALLENGE, InvalidClient, InvalidRequest } from './errors.js';
import type { FormParameters } from './form.js';
import { clientAuthFailures } from './metrics.js';

/** Who calls introspection, revocation or the feed, besides an agent revoking its own tokens. */
export type EndpointCaller = { kind: 'resource_server'; server: ResourceServerPrincipal } | { kind: 'operator'; operator: OperatorPrincipal };

/** What the OAuth endpoints ask identity (Authenticator has it). */
export type CallerIdentity = Pick<Authenticator, 'resolve' | 'resourceServer'>;

/**
 * The callers of the OAuth endpoints other than the token endpoint, as identity resolves
 * them, refused in RFC 6749's terms: an operator's bearer token (with the endpoint's
 * permission) or a resource server's client credentials (Basic or in the form).
 */
export class EndpointCallers {
  constructor(private readonly identity: CallerIdentity) {}

  /** An operator's `Bearer` token with `permission`. */
  async operator(authorization: string, permission: 'tokens:introspect' | 'tokens:revoke'): Promise<OperatorPrincipal> {
    const token = bearerToken(authorization);
    const principal = token ? await this.identity.resolve(token) : null;
    if (!principal || principal.kind !== 'operator') throw new InvalidClient('the bearer token is not a valid operator token');
    if (!can(principal.roles, permission)) throw new AccessDenied(`role ${principal.roles.join(', ')} may not ${permission}`);
    return principal;
  }

  /** A resource server (client_secret_basic / _post) or an operator (Bearer, tokens:introspect). */
  async resourceServerOrOperator(authorization: string | undefined, form: FormParameters): Promise<EndpointCaller> {
    if (authorization && /^Bearer\s/i.test(authorization)) {
      if (form.has('client_id') || form.has('client_secret')) throw new InvalidRequest('use exactly one authentication method');
      return { kind: 'operator', operator: await this.operator(authorization, 'tokens:introspect') };
    }
    const presented = presentedCredentials(authorization, form);
    if (!presented || presented.method === 'private_key_jwt') {
      throw new InvalidClient('authenticate as a registered resource server (client_secret_basic or client_secret_post) or an operator (Bearer)').withHeaders(BASIC_CHALLENGE);
    }
    const server = await this.identity.resourceServer(presented.clientId, presented.secret);
    if (!server) {
      clientAuthFailures.inc({ client_id: 'unknown' });
      const failure = new InvalidClient('resource server authentication failed');
      throw presented.method === 'client_secret_basic' ? failure.withHeaders(BASIC_CHALLENGE) : failure;
    }
    return { kind: 'resource_server', server };
  }
}
