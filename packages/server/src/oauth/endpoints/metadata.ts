import { CLIENT_SIGNING_ALGORITHMS, SIGNING_ALGORITHMS } from '../algorithms.js';
import { ID_JAG_PROFILE } from '../grants/id-jag.js';
import { CLIENT_AUTH_METHODS } from '../client-auth.js';
import { GRANTS } from '../grants/index.js';
import { PEOPLE_GRANTS } from '../grants/people.js';
import { CODE_CHALLENGE_METHODS } from '../pkce.js';
import type { ResourceServers } from '../resource-servers.js';

/**
 * RFC 8414 authorization server metadata. `scopes_supported` lists what the registered
 * resource servers accept (agents' own scopes are per agent and not advertised); the rest
 * never changes while the server runs and is built once.
 */
export class MetadataEndpoint {
  private readonly fixed: Record<string, unknown>;

  constructor(
    issuer: string,
    tokenEndpoint: string,
    private readonly resourceServers: ResourceServers,
    /** Members added by optional features (tls-client-auth.ts's CERTIFICATE_METADATA). */
    extra: Record<string, unknown> = {},
  ) {
    this.fixed = {
      issuer,
      token_endpoint: tokenEndpoint,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${issuer}/oauth2/introspect`,
      revocation_endpoint: `${issuer}/oauth2/revoke`,
      revocation_feed_endpoint: `${issuer}/oauth2/revocations`,
      // People's clients (MCP clients, the console): authorization code + PKCE S256, CIMD, RFC 9207.
      authorization_endpoint: `${issuer}/oauth2/authorize`,
      grant_types_supported: [...GRANTS.keys(), ...PEOPLE_GRANTS.keys()],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: [...CODE_CHALLENGE_METHODS],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
      token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
      token_endpoint_auth_signing_alg_values_supported: [...CLIENT_SIGNING_ALGORITHMS],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'bearer'],
      revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'bearer'],
      dpop_signing_alg_values_supported: [...CLIENT_SIGNING_ALGORITHMS],
      resource_indicators_supported: true,
      authorization_grant_profiles_supported: [ID_JAG_PROFILE],
      access_token_signing_alg_values_supported: Object.keys(SIGNING_ALGORITHMS),
      ...extra,
    };
  }

  async handle(): Promise<Record<string, unknown>> {
    const scopes = [...new Set((await this.resourceServers.list()).flatMap((server) => server.scopes))].sort();
    return { ...this.fixed, scopes_supported: scopes };
  }
}
