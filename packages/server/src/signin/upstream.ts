import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { constantTimeEqual } from '../crypto/index.js';
import { isoTime } from '../shared/clock.js';
import { MandateError } from '../shared/errors.js';
import type { SigninDeps } from './deps.js';
import { admissionRefusal } from './idps.js';
import { safeReturnTo } from './return-to.js';
import { refuseSignin, startSession } from './sessions.js';
import * as store from './store.js';
import { checkAttempts } from './token-signin.js';
import type { SigninOrigin, StartedSession } from './types.js';

/** A sign-in at an upstream IdP refused: the status and the reason the refusal page shows. */
export class SigninRefusedError extends MandateError {
  constructor(
    status: number,
    reason: string,
    readonly returnTo: string,
  ) {
    super(status === 403 ? 'signin_refused' : 'invalid_request', status, reason);
  }
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('base64url');
const random = () => randomBytes(32).toString('base64url');
const VERIFIER_CONTEXT = 'signin_states.code_verifier';

/**
 * Starts a sign-in at an upstream IdP: authorization code with PKCE (S256), a state and a
 * nonce. What the callback needs is kept in `signin_states` under the state's hash, bound to
 * this browser by the `mandate_signin` cookie (only its hash stored). Returns where to send the
 * browser and the cookie's value.
 */
export async function beginUpstream(deps: SigninDeps, idpId: string, returnTo: string): Promise<{ location: string; browserCookie: string }> {
  const upstream = deps.upstreams.find(idpId);
  if (!upstream) throw new MandateError('not_found', 404, `no identity provider '${idpId}' is configured`);
  const configuration = await deps.upstreams.configuration(upstream).catch((error: unknown) => {
    throw new MandateError('idp_unavailable', 502, `${upstream.name} did not answer its discovery request (${(error as Error).message})`);
  });
  const state = random();
  const nonce = random();
  const verifier = oidc.randomPKCECodeVerifier();
  const browserCookie = random();
  const now = deps.clock.now();
  const id = sha256(state);
  await store.insertState(deps.store.db, {
    id,
    idp_id: upstream.id,
    browser_hash: sha256(browserCookie),
    nonce,
    code_verifier: deps.envelope.encrypt(verifier, `${VERIFIER_CONTEXT}:${id}`),
    return_to: safeReturnTo(returnTo, deps.settings.returnToMaxLength),
    created_at: isoTime(now),
    expires_at: isoTime(now + deps.settings.stateTtlSeconds * 1000),
    used_at: null,
  });
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: deps.settings.callbackUrl,
    scope: upstream.scopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { location: url.toString(), browserCookie };
}

/**
 * The IdP's redirect back: the state must be one this server issued to this browser, unused
 * and unexpired; the code is exchanged (with the PKCE verifier; openid-client checks the ID
 * token, its nonce and the `iss` of the response); the claims must pass the IdP's admission
 * rule. An operator whose email matches gets their own session (with their roles); anyone else
 * a person's session. Every refusal is audited and counted against the address.
 */
export async function completeUpstream(deps: SigninDeps, callbackUrl: URL, browserCookie: string | null, origin: SigninOrigin): Promise<StartedSession & { returnTo: string }> {
  checkAttempts(deps, origin);
  const refuse = async (status: number, reason: string, returnTo: string, idp?: string): Promise<never> => {
    await refuseSignin(deps, 'idp', origin, reason, idp ? { idp } : {});
    throw new SigninRefusedError(status, reason, returnTo);
  };
  const state = callbackUrl.searchParams.get('state');
  const fallback = safeReturnTo(undefined, deps.settings.returnToMaxLength);
  if (!state || state.length > 200) return refuse(400, 'the sign-in answer carries no state: start again from the sign-in page', fallback);
  const id = sha256(state);
  const row = await store.stateById(deps.store.db, id);
  if (!row) return refuse(400, 'the sign-in answer carries a state this server did not issue: start again from the sign-in page', fallback);
  const returnTo = row.return_to;
  if (!browserCookie || !constantTimeEqual(sha256(browserCookie), row.browser_hash)) return refuse(400, 'this sign-in was started in another browser: start again from the sign-in page', returnTo, row.idp_id);
  if (row.used_at !== null || !(await store.useState(deps.store.db, id, isoTime(deps.clock.now())))) {
    return refuse(400, 'this sign-in answer was already used (a replayed callback): start again from the sign-in page', returnTo, row.idp_id);
  }
  if (deps.clock.now() >= Date.parse(row.expires_at)) return refuse(400, `the sign-in took longer than ${deps.settings.stateTtlSeconds} s: start again`, returnTo, row.idp_id);
  const upstream = deps.upstreams.find(row.idp_id);
  if (!upstream) return refuse(400, `the identity provider '${row.idp_id}' is no longer configured`, returnTo, row.idp_id);
  const errorCode = callbackUrl.searchParams.get('error');
  if (errorCode) return refuse(400, `${upstream.name} refused the sign-in: ${errorCode.slice(0, 100)}`, returnTo, upstream.id);

  let claims: Record<string, unknown>;
  try {
    const configuration = await deps.upstreams.configuration(upstream);
    const verifier = deps.envelope.decrypt(row.code_verifier, `${VERIFIER_CONTEXT}:${id}`).toString('utf8');
    const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: row.nonce, idTokenExpected: true });
    claims = { ...tokens.claims()! };
    // Many providers put email only in the UserInfo response for the code flow.
    if (claims.email === undefined && tokens.access_token) claims = { ...(await oidc.fetchUserInfo(configuration, tokens.access_token, String(claims.sub))), ...claims };
  } catch (error) {
    return refuse(400, `the answer of ${upstream.name} was not accepted: ${(error as Error).message.slice(0, 200)}`, returnTo, upstream.id);
  }
  const subject = String(claims.sub);
  const why = admissionRefusal(upstream, claims);
  if (why) return refuse(403, why, returnTo, upstream.id);

  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : '';
  const idp = { idpId: upstream.id, subject };
  // An operator signs in as themselves (their roles) when the IdP vouches for their email.
  const operator = email ? (await deps.operators.list()).find((o) => o.status === 'active' && o.email.toLowerCase() === email) : undefined;
  const started = operator
    ? await startSession(deps, { kind: 'operator', operatorId: operator.id, email: operator.email }, origin, idp)
    : await startSession(deps, { kind: 'person', personId: `person:${upstream.id}:${subject}`, email, idpId: upstream.id, subject }, origin, idp);
  return { ...started, returnTo };
}

/** Deletes sign-ins under way that expired over an hour ago (job `signin.prune`). */
export async function pruneStates(deps: SigninDeps): Promise<number> {
  return store.deleteOldStates(deps.store.db, isoTime(deps.clock.now() - 3_600_000));
}
