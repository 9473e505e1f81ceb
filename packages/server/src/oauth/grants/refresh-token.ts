import { epochSeconds } from '../../shared/clock.js';
import { InvalidGrant, InvalidRequest, InvalidScope, OAuthError } from '../errors.js';
import { parseScope } from '../form.js';
import type { TokenResponse } from './types.js';
import { issueInFamily } from './people-issue.js';
import type { PeopleGrantModule } from './people-types.js';

const SYSTEM = { kind: 'system', id: 'oauth' } as const;

/**
 * RFC 6749 §6 with rotation (OAuth 2.1 §4.3.1): each refresh token works once and the answer
 * carries its successor. Presenting a rotated one again ends the family (RFC 9700 §4.14.2):
 * both the attacker's and the client's copies stop, and the family's access tokens are
 * revoked. `scope` may only narrow the grant; `resource`, when sent, must be the grant's; a
 * request refused for either leaves its refresh token unspent.
 */
export const refreshToken: PeopleGrantModule = {
  grantType: 'refresh_token',
  parameters: ['refresh_token', 'scope', 'resource'],
  async handler(context) {
    const { form, client, audit, families, now } = context;
    const presented = form.get('refresh_token');
    if (presented === undefined) throw new InvalidRequest("missing required parameter 'refresh_token'");
    const requested = parseScope(form.get('scope'));
    const outcome = await audit.withEntry<{ error: OAuthError } | { response: TokenResponse }>(async (trx) => {
      const rotation = await families.rotate(trx, presented, client.clientId, epochSeconds(now));
      if (rotation.kind === 'refused') return { result: { error: rotation.error }, events: [] };
      const family = rotation.family;
      if (rotation.kind === 'reused') {
        const events = await families.end(trx, family.family_id, SYSTEM, 'refresh token reused', now);
        return { result: { error: new InvalidGrant('the refresh token was already used; every token of this grant is revoked') }, events };
      }
      // A request refused for its own parameters is thrown, not returned: the transaction rolls
      // back and the refresh token stays unspent, so the client can retry with the right ones
      // (returned, the rotation would commit and the retry would look like reuse and end the family).
      const resource = form.get('resource');
      if (resource !== undefined && resource !== family.resource) throw new InvalidGrant(`the refresh token was issued for resource '${family.resource}'`);
      const granted = family.scopes === '' ? [] : family.scopes.split(' ');
      const wider = (requested ?? []).filter((scope) => !granted.includes(scope));
      if (wider.length > 0) throw new InvalidScope(`scope may only narrow the grant; not granted: ${wider.join(' ')}`);
      const { response, events } = await issueInFamily(trx, context, family, requested ?? granted, 'refresh_token');
      return { result: { response }, events };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.response;
  },
};
