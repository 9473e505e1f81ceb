import type { AgentTokenSource, ResourceServerPrincipal, ResourceServerResolver } from '../identity/index.js';
import { mayHoldTokens } from './agent-status.js';
import { presentedCredentials } from './client-auth.js';
import { OAuthError } from './errors.js';
import type { ResourceServer, ResourceServers } from './resource-servers.js';
import type { SigningKeys } from './keys/signing-keys.js';
import type { Revocations } from './revocation.js';
import type { AccessTokenVerifier } from './verifier.js';

/**
 * What oauth plugs into identity (identity declares the ports, so it never imports oauth):
 * the check of agents' access tokens behind the cached subject resolver, and resource
 * servers' client credentials.
 */

/** Agents' access tokens: the verifier's full check (null when not valid), revocation state and its head, the published keys. */
export function agentTokenSource(verifier: AccessTokenVerifier, revocations: Revocations, keys: SigningKeys): AgentTokenSource {
  return {
    verify: async (token, audience) => {
      try {
        return await verifier.verify(token, audience);
      } catch (error) {
        if (error instanceof OAuthError) return null;
        throw error;
      }
    },
    isRevoked: async (claims) => (await revocations.check(claims)) !== null,
    revocationHead: () => revocations.head(),
    mayHoldTokens,
    keyInUse: (kid) => keys.publishes(kid),
  };
}

const principalOf = (server: ResourceServer): ResourceServerPrincipal => ({
  kind: 'resource_server',
  serverId: server.id,
  clientId: server.clientId,
  audience: server.audience,
  policyPackage: server.policyPackage,
});

/** Resource servers by their client credentials; a malformed Basic header throws invalid_client. */
export function resourceServerResolver(resourceServers: ResourceServers): ResourceServerResolver {
  const resolve = async (clientId: string, secret: string) => {
    const server = await resourceServers.authenticate(clientId, secret);
    return server ? principalOf(server) : null;
  };
  return {
    resolve,
    resolveBasic: async (authorization) => {
      const presented = presentedCredentials(authorization, new Map());
      return presented && presented.method === 'client_secret_basic' ? resolve(presented.clientId, presented.secret) : null;
    },
  };
}
