import { readJson, send, type FetchLike } from '../shared/http.js';
import { oauthErrorFrom } from '../oauth/errors.js';
import { feedAuthorization, type FeedCredentials } from './revocation-feed.js';

/**
 * Asks the introspection endpoint (RFC 7662) whether a token is still active: the verifier's
 * fallback while the revocation feed is unreachable, so it neither trusts stale revocation
 * state nor refuses every caller. Throws on transport and server errors.
 */
export async function isActive(fetchImpl: FetchLike, endpoint: string, credentials: FeedCredentials, token: string): Promise<boolean> {
  const response = await send(fetchImpl, endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: await feedAuthorization(credentials) },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
  });
  const body = await readJson(response);
  if (!response.ok) throw oauthErrorFrom(response.status, body);
  return (body as { active?: unknown } | undefined)?.active === true;
}
