import type { AuditEvent } from '../../audit/index.js';
import type { Tx } from '../../storage/index.js';
import { personActor } from '../people-actor.js';
import type { RefreshFamilyRow } from '../tables.js';
import { mintAccessToken } from '../tokens.js';
import type { TokenResponse } from './types.js';
import type { PeopleGrantContext } from './people-types.js';

/**
 * Issues a person's access token (RFC 9068, the agents' profile: `sub` the person, `client_id`
 * the client, `aud` the resource) and a new refresh token in its family, inside the grant's
 * transaction: the token, its family record and its audit entry commit together.
 */
export async function issueInFamily(trx: Tx, context: PeopleGrantContext, family: Pick<RefreshFamilyRow, 'family_id' | 'client_id' | 'user_id' | 'resource' | 'expires_at'>, scopes: string[], grantType: string): Promise<{ response: TokenResponse; events: AuditEvent[] }> {
  const { keys, issuer, accessTokenTtlSeconds, now, families } = context;
  const issued = mintAccessToken(keys, issuer, { subject: family.user_id, clientId: family.client_id, audience: family.resource, scopes, ttlSeconds: accessTokenTtlSeconds }, now);
  await families.recordAccessToken(trx, family.family_id, { jti: issued.jti, exp: issued.exp, clientId: family.client_id });
  const refreshToken = await families.issue(trx, family);
  const event: AuditEvent = {
    type: 'oauth.token.issued',
    actor: personActor(family.user_id),
    subject: family.client_id,
    action: 'issue',
    outcome: 'success',
    details: { grant_type: grantType, client_id: family.client_id, user: family.user_id, aud: family.resource, scope: scopes.join(' '), jti: issued.jti, exp: issued.exp, family_id: family.family_id, refresh_rotated: true },
  };
  return {
    response: { access_token: issued.token, token_type: 'Bearer', expires_in: accessTokenTtlSeconds, scope: scopes.join(' '), refresh_token: refreshToken },
    events: [event],
  };
}
