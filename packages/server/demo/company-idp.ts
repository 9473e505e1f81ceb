/**
 * Alice's company identity provider for the demo: oidc-provider (panva), a real OpenID Provider
 * on a loopback port with its own Ed25519 key, publishing its JWKS at `/jwks`. Mandate trusts it
 * (`POST /v1/idps`) and verifies Alice's ID token against that JWKS, as it would Okta's or Entra's.
 *
 * The one stand-in: a person's interactive browser sign-in cannot run in a terminal demo, so a
 * grant of the demo's own (`urn:mandate-demo:sign-in`, registered with oidc-provider's
 * `registerGrantType`) issues the signed-in person's ID token through oidc-provider's own IdToken
 * model. The token itself — issuer, audience, signature, expiry — is oidc-provider's.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The client Mandate's agents have at the IdP: the `aud` of the users' ID tokens Mandate accepts. */
export const IDP_CLIENT = { id: 'mandate-agents', secret: 'demo-idp-client-secret-0123456789abcdef' };
const SIGN_IN_GRANT = 'urn:mandate-demo:sign-in';

export interface CompanyIdp {
  issuer: string;
  jwksUri: string;
  /** The person's ID token, as the IdP issues it after they signed in. */
  signIn(user: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * oidc-provider warns, once each, that it prefers Node 22 and that its in-memory store loses its
 * data on restart: both expected of a throwaway IdP that lives for one demo run, and noise in the
 * narrative. Only those two warnings are held back, and only while it loads.
 */
const EXPECTED_WARNINGS = [/^oidc-provider WARNING: Unsupported runtime/, /^oidc-provider WARNING: a quick start development-only in-memory adapter/];

async function quietly<T>(load: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!EXPECTED_WARNINGS.some((expected) => expected.test(String(args[0]).replace(/\x1b\[[0-9;]*m/g, '')))) warn(...args);
  };
  try {
    return await load();
  } finally {
    console.warn = warn;
  }
}

export async function startCompanyIdp(): Promise<CompanyIdp> {
  // The issuer names its port: listen first, then build the provider for that URL.
  let callback: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.writeHead(503).end();
  const http = createServer((req, res) => callback(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const key = { ...generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }), kid: `idp-${randomUUID().slice(0, 8)}`, alg: 'EdDSA', use: 'sig' };
  const provider = await quietly(async () => {
    const { default: Provider } = await import('oidc-provider');
    return new Provider(issuer, {
      clients: [
        {
          client_id: IDP_CLIENT.id,
          client_secret: IDP_CLIENT.secret,
          grant_types: [SIGN_IN_GRANT],
          response_types: [],
          redirect_uris: [],
          id_token_signed_response_alg: 'EdDSA',
        },
      ],
      jwks: { keys: [key as never] },
      features: { devInteractions: { enabled: false } },
      ttl: { IdToken: 3600 },
    });
  });
  provider.registerGrantType(
    SIGN_IN_GRANT,
    async (ctx) => {
      const idToken = new provider.IdToken({ sub: String(ctx.oidc.params!.username) }, { ctx });
      (idToken as unknown as { scope: string }).scope = 'openid';
      ctx.body = { id_token: await idToken.issue({ use: 'idtoken' }), token_type: 'N_A', expires_in: 3600 };
    },
    ['username'],
  );
  callback = provider.callback() as never;

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    async signIn(user) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${IDP_CLIENT.id}:${IDP_CLIENT.secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: SIGN_IN_GRANT, username: user }).toString(),
      });
      const body = (await response.json()) as { id_token?: string };
      if (!response.ok || !body.id_token) throw new Error(`the company IdP refused the sign-in: ${response.status} ${JSON.stringify(body)}`);
      return body.id_token;
    },
    async stop() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
