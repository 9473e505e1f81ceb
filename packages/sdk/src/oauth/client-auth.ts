import { importJWK, SignJWT, type CryptoKey, type JWK, type KeyObject } from 'jose';
import { epochSeconds } from '../shared/clock.js';
import { randomId } from '../shared/encoding.js';
import { basicAuthorization } from '../shared/http.js';
import { MandateSdkError } from '../shared/errors.js';

/** How the agent proves who it is at the token endpoint (RFC 6749 §2.3, RFC 7523). */
export type ClientAuth =
  | { method: 'client_secret_basic'; clientSecret: string }
  | { method: 'client_secret_post'; clientSecret: string }
  | {
      method: 'private_key_jwt';
      /** The agent's private key: a CryptoKey/KeyObject, or a private JWK. */
      privateKey: CryptoKey | KeyObject | JWK;
      /** Signing algorithm; inferred from a JWK's `alg`/`crv`/`kty` when left out. */
      alg?: string;
      /** Key id put in the assertion header, so the server picks the right registered key. */
      kid?: string;
      /** Assertion `aud`; the token endpoint URL unless given (RFC 7523 §3). */
      audience?: string;
      /** Assertion lifetime; short so a leaked assertion is soon useless. */
      lifetimeSeconds?: number;
    }
  | {
      /**
       * A JWT the agent already holds, sent as an RFC 7523 client assertion with no secret and
       * no `client_id` (the assertion names the agent): a JWT-SVID from Mandate
       * (`AgentIdentity.clientAssertion()`), or a Kubernetes projected service-account token
       * of a trusted workload issuer. Called for every token request.
       */
      method: 'client_assertion';
      assertion: (context: ClientAuthContext) => Promise<string> | string;
    };

export type ClientAuthMethod = ClientAuth['method'];

/** What a method adds to a token request. */
export interface AuthenticatedRequest {
  headers: Record<string, string>;
  params: Record<string, string>;
}

export interface ClientAuthContext {
  clientId: string;
  tokenEndpoint: string;
  /** Milliseconds since the epoch. */
  now: number;
}

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const DEFAULT_ASSERTION_LIFETIME_SECONDS = 60;

/** Algorithm for a JWK that does not name one, by key type and curve. */
const ALG_BY_KEY: Record<string, string> = {
  'OKP:Ed25519': 'EdDSA',
  'EC:P-256': 'ES256',
  'EC:P-384': 'ES384',
  'EC:P-521': 'ES512',
  'RSA:': 'RS256',
};

function isJwk(key: unknown): key is JWK {
  return typeof key === 'object' && key !== null && 'kty' in key && typeof (key as JWK).kty === 'string';
}

export function inferAlgorithm(key: CryptoKey | KeyObject | JWK, explicit?: string): string {
  if (explicit) return explicit;
  if (isJwk(key)) {
    if (key.alg) return key.alg;
    const alg = ALG_BY_KEY[`${key.kty}:${key.crv ?? ''}`];
    if (alg) return alg;
  }
  throw new MandateSdkError('ERR_CLIENT_AUTH_CONFIG', 'private_key_jwt: cannot infer the signing algorithm; pass `alg`');
}

/** Signs RFC 7523 client assertions, importing a JWK once. */
export class AssertionSigner {
  private key: Promise<CryptoKey | KeyObject | Uint8Array> | undefined;
  readonly alg: string;
  constructor(private readonly auth: Extract<ClientAuth, { method: 'private_key_jwt' }>) {
    this.alg = inferAlgorithm(auth.privateKey, auth.alg);
  }

  private signingKey(): Promise<CryptoKey | KeyObject | Uint8Array> {
    const source = this.auth.privateKey;
    this.key ??= isJwk(source) ? importJWK(source, this.alg) : Promise.resolve(source);
    return this.key;
  }

  async sign(context: ClientAuthContext): Promise<string> {
    const iat = epochSeconds(context.now);
    const kid = this.auth.kid ?? (isJwk(this.auth.privateKey) ? this.auth.privateKey.kid : undefined);
    return new SignJWT({ jti: randomId() })
      .setProtectedHeader(kid ? { alg: this.alg, kid, typ: 'JWT' } : { alg: this.alg, typ: 'JWT' })
      .setIssuer(context.clientId)
      .setSubject(context.clientId)
      .setAudience(this.auth.audience ?? context.tokenEndpoint)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (this.auth.lifetimeSeconds ?? DEFAULT_ASSERTION_LIFETIME_SECONDS))
      .sign(await this.signingKey());
  }
}

/** One entry per method: what it adds to the request (STYLE.md §3, choices as a table). */
type Authenticator = (context: ClientAuthContext) => Promise<AuthenticatedRequest>;

export function clientAuthenticator(auth: ClientAuth): Authenticator {
  switch (auth.method) {
    case 'client_secret_basic':
      return async (context) => ({
        headers: { authorization: basicAuthorization(context.clientId, auth.clientSecret) },
        params: {},
      });
    case 'client_secret_post':
      return async (context) => ({
        headers: {},
        params: { client_id: context.clientId, client_secret: auth.clientSecret },
      });
    case 'private_key_jwt': {
      const signer = new AssertionSigner(auth);
      return async (context) => ({
        headers: {},
        params: {
          client_id: context.clientId,
          client_assertion_type: CLIENT_ASSERTION_TYPE,
          client_assertion: await signer.sign(context),
        },
      });
    }
    case 'client_assertion':
      return async (context) => ({
        headers: {},
        params: { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await auth.assertion(context) },
      });
    default: {
      const unknown: never = auth;
      throw new MandateSdkError('ERR_CLIENT_AUTH_CONFIG', `unsupported client authentication method '${(unknown as ClientAuth).method}'`);
    }
  }
}
