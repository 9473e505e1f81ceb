import { InvalidTarget } from '../errors.js';
import { parseScope } from '../form.js';
import { isResourceIndicator } from '../resource-servers.js';
import { grantScopes } from '../scopes.js';
import { mintAccessToken } from '../tokens.js';
import { tokenLifetime, type GrantModule } from './types.js';

/**
 * RFC 6749 §4.4: an agent asks for a token for itself. `scope` narrows its registered scopes;
 * `resource` (RFC 8707) picks the audience among registered resource servers, and the
 * token keeps only the scopes that audience accepts. No `resource`: the audience is Mandate
 * itself (the issuer), the token for Mandate's own /v1 API.
 */
export const clientCredentials: GrantModule = {
  grantType: 'client_credentials',
  parameters: ['scope', 'resource', 'task_id'],
  async handler({ form, client, jkt, x5t, now, taskId, issuer, ttl, keys, resourceServers }) {
    const agent = client.agent;
    const requested = parseScope(form.get('scope'));
    const resource = form.get('resource');
    let audience = issuer;
    let accepted: string[] | null = null;
    if (resource !== undefined && resource !== issuer) {
      if (!isResourceIndicator(resource)) throw new InvalidTarget('resource must be an absolute URI without a fragment (RFC 8707)');
      const server = await resourceServers.findByAudience(resource);
      if (!server) throw new InvalidTarget(`unknown resource '${resource}'; register it with POST /v1/resource-servers`);
      audience = server.audience;
      accepted = server.scopes;
    }
    const scopes = grantScopes(requested, agent.scopes, accepted);
    const ttlSeconds = tokenLifetime(agent, ttl);
    const issued = mintAccessToken(
      keys,
      issuer,
      {
        subject: agent.id,
        clientId: agent.clientId,
        audience,
        scopes,
        ttlSeconds,
        agent: { purpose: agent.purpose, owner: agent.owner, data_classification: agent.dataClassification, environment: agent.environment },
        ...(jkt ? { jkt } : {}),
        ...(x5t ? { x5t } : {}),
        ...(taskId !== undefined ? { extra: { task_id: taskId } } : {}),
      },
      now,
    );
    return {
      issued,
      ...(taskId !== undefined ? { details: { task_id: taskId } } : {}),
      response: { access_token: issued.token, token_type: jkt ? 'DPoP' : 'Bearer', expires_in: ttlSeconds, scope: scopes.join(' ') },
    };
  },
};
