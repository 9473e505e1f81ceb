/**
 * The company's identity provider for delegation tests: oidc-provider (panva) 9, a real OpenID
 * Provider with its own keys and JWKS endpoint.
 *
 * Two grants are registered on it with `registerGrantType`:
 * - `urn:test:sign-in` stands in for a person's interactive sign-in (a browser login cannot run
 *   in this suite): it issues the person's ID token through oidc-provider's own IdToken model,
 *   signed with the key oidc-provider publishes at /jwks. Nothing else about the token is faked.
 * - `urn:ietf:params:oauth:grant-type:token-exchange` is the IdP side of ID-JAG as
 *   draft-ietf-oauth-identity-assertion-authz-grant describes it: the client trades the user's
 *   ID token (validated by oidc-provider) for an Identity Assertion JWT (`typ: oauth-id-jag+jwt`)
 *   for Mandate. oidc-provider has no ID-JAG support of its own, so the handler signs the
 *   assertion with jose, using the same private key oidc-provider signs and publishes with.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SignJWT, importJWK } from 'jose';

export const IDP_CLIENT = { id: 'mandate-agents', secret: 'company-idp-secret-company-idp-secret-0123' };
const SIGN_IN = 'urn:test:sign-in';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
export const ID_JAG_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';

export interface CompanyIdp {
  issuer: string;
  jwksUri: string;
  /** The person's ID token after "signing in". */
  signIn(user: string): Promise<string>;
  /** An ID-JAG for Mandate from the user's ID token (the IdP's token exchange). */
  identityAssertion(idToken: string, options: { audience: string; clientId: string; scope: string; resource?: string }): Promise<string>;
  /** Signs any claims with the IdP's key (for refusal cases the IdP would not produce itself). */
  sign(claims: Record<string, unknown>, typ: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startCompanyIdp(): Promise<CompanyIdp> {
  const { default: Provider, errors } = await import('oidc-provider');
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `company-${randomUUID().slice(0, 8)}`, alg: 'EdDSA', use: 'sig' };
  const signingKey = await importJWK(jwk, 'EdDSA');
  // The issuer must name the port it listens on: listen on a free port first, then build the provider on it.
  const { createServer } = await import('node:http');
  let handler: (req: never, res: never) => void = () => undefined;
  const http = createServer((req, res) => handler(req as never, res as never));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const sign = (claims: Record<string, unknown>, typ: string) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: jwk.kid, typ }).sign(signingKey);

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: IDP_CLIENT.id,
        client_secret: IDP_CLIENT.secret,
        grant_types: [SIGN_IN, TOKEN_EXCHANGE],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'EdDSA',
      },
    ],
    jwks: { keys: [jwk as never] },
    features: { devInteractions: { enabled: false } },
  });
  provider.registerGrantType(
    SIGN_IN,
    async (ctx) => {
      const user = String(ctx.oidc.params!.username);
      const token = new provider.IdToken({ sub: user }, { ctx });
      (token as unknown as { scope: string }).scope = 'openid';
      ctx.body = { id_token: await token.issue({ use: 'idtoken' }), token_type: 'N_A', expires_in: 3600 };
    },
    ['username'],
  );
  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx) => {
      const params = ctx.oidc.params as Record<string, string | undefined>;
      if (params.subject_token_type !== ID_TOKEN_TYPE) throw new errors.InvalidRequest('subject_token_type must be an ID token');
      if (params.requested_token_type !== ID_JAG_TYPE) throw new errors.InvalidRequest('requested_token_type must be an ID-JAG');
      let sub: string;
      try {
        const { payload } = (await provider.IdToken.validate(params.subject_token!, ctx.oidc.client!)) as unknown as { payload: { sub: string } };
        sub = payload.sub;
      } catch {
        throw new errors.InvalidGrant('the subject token is not a valid ID token of this provider');
      }
      const now = Math.floor(Date.now() / 1000);
      const assertion = await sign(
        {
          iss: issuer,
          sub,
          aud: params.audience,
          // The draft has the IdP map its client to the client's id at the resource AS; here the test passes it.
          client_id: params.audience_client_id,
          jti: randomUUID(),
          iat: now,
          exp: now + 300,
          scope: params.scope,
          ...(params.resource ? { resource: params.resource } : {}),
        },
        'oauth-id-jag+jwt',
      );
      ctx.body = { access_token: assertion, issued_token_type: ID_JAG_TYPE, token_type: 'N_A', expires_in: 300, scope: params.scope };
    },
    ['subject_token', 'subject_token_type', 'requested_token_type', 'audience', 'resource', 'scope', 'audience_client_id'],
  );
  handler = provider.callback() as never;

  const tokenRequest = async (form: Record<string, string>): Promise<Record<string, unknown>> => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${IDP_CLIENT.id}:${IDP_CLIENT.secret}`).toString('base64')}` },
      body: new URLSearchParams(form).toString(),
    });
    const body = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`company IdP refused: ${response.status} ${JSON.stringify(body)}`);
    return body;
  };

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    signIn: async (user) => (await tokenRequest({ grant_type: SIGN_IN, username: user })).id_token as string,
    identityAssertion: async (idToken, options) =>
      (await tokenRequest({
        grant_type: TOKEN_EXCHANGE,
        subject_token: idToken,
        subject_token_type: ID_TOKEN_TYPE,
        requested_token_type: ID_JAG_TYPE,
        audience: options.audience,
        audience_client_id: options.clientId,
        scope: options.scope,
        ...(options.resource ? { resource: options.resource } : {}),
      })).access_token as string,
    sign,
    stop: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}
