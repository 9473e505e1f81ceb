import { epochSeconds } from '../../shared/clock.js';
import { redeemCode } from '../codes.js';
import { InvalidGrant, InvalidRequest, OAuthError } from '../errors.js';
import { verifiesChallenge } from '../pkce.js';
import type { TokenResponse } from './types.js';
import { issueInFamily } from './people-issue.js';
import type { PeopleGrantModule } from './people-types.js';

const SYSTEM = { kind: 'system', id: 'oauth' } as const;

/**
 * RFC 6749 §4.1.3 with OAuth 2.1's rules: a code is spent once (a second presentation revokes
 * every token issued from it, §4.1.2), by the client it was issued to, with the same
 * redirect_uri, the PKCE verifier of its S256 challenge (RFC 7636) and, when `resource` is
 * sent, the resource it was issued for (RFC 8707). A spent code stays spent even if a check
 * fails after it, so a guessed verifier gets one try.
 */
export const authorizationCode: PeopleGrantModule = {
  grantType: 'authorization_code',
  parameters: ['code', 'redirect_uri', 'code_verifier', 'resource'],
  async handler(context) {
    const { form, client, audit, families, now, refreshTokenTtlSeconds } = context;
    const code = form.get('code');
    const redirectUri = form.get('redirect_uri');
    const verifier = form.get('code_verifier');
    if (code === undefined) throw new InvalidRequest("missing required parameter 'code'");
    if (redirectUri === undefined) throw new InvalidRequest("missing required parameter 'redirect_uri'");
    if (verifier === undefined) throw new InvalidRequest("missing required parameter 'code_verifier' (PKCE is required)");
    const nowSeconds = epochSeconds(now);
    const outcome = await audit.withEntry<{ error: OAuthError } | { response: TokenResponse }>(async (trx) => {
      const redemption = await redeemCode(trx, code, nowSeconds);
      if (redemption.kind === 'refused') return { result: { error: redemption.error }, events: [] };
      const row = redemption.row;
      if (redemption.kind === 'reused') {
        // RFC 6749 §4.1.2: the code leaked or was replayed; what it granted is withdrawn.
        const events = row.client_id === client.clientId ? await families.end(trx, row.family_id, SYSTEM, 'authorization code used twice', now) : [];
        return { result: { error: new InvalidGrant('the authorization code was already used; the tokens issued from it are revoked') }, events };
      }
      const mismatch =
        row.client_id !== client.clientId
          ? 'the authorization code was issued to another client'
          : row.redirect_uri !== redirectUri
            ? 'redirect_uri differs from the one the authorization code was issued for'
            : !verifiesChallenge(verifier, row.code_challenge)
              ? 'code_verifier does not match the code_challenge (PKCE S256)'
              : form.get('resource') !== undefined && form.get('resource') !== row.resource
                ? `the authorization code was issued for resource '${row.resource}', not '${form.get('resource')}'`
                : null;
      if (mismatch !== null) return { result: { error: new InvalidGrant(mismatch) }, events: [] };
      const family = { family_id: row.family_id, client_id: row.client_id, user_id: row.user_id, resource: row.resource, scopes: row.scopes, created_at: new Date(now).toISOString(), expires_at: nowSeconds + refreshTokenTtlSeconds };
      await families.start(trx, family);
      const scopes = row.scopes === '' ? [] : row.scopes.split(' ');
      const { response, events } = await issueInFamily(trx, context, family, scopes, 'authorization_code');
      return { result: { response }, events };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.response;
  },
};
