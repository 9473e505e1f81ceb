import { createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './algorithms.js';
import type { LoadedKey, SigningKeys } from './keys/signing-keys.js';
import { mintAccessToken, type AccessTokenInput } from './tokens.js';

const ISSUER = 'https://mandate.example';
const NOW_MS = Date.UTC(2026, 11, 2, 9, 0, 0);

/** A loaded key as SigningKeys.load() builds it (key objects and the encoded header made once). */
async function loadedKey(alg: SigningAlgorithm['alg']): Promise<LoadedKey> {
  const { privateKey, publicKey } = SIGNING_ALGORITHMS[alg].generate();
  const exported = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(exported, 'sha256');
  const header = Buffer.from(JSON.stringify({ alg, typ: 'at+jwt', kid })).toString('base64url');
  return { kid, alg, activatesAt: 0, publicJwk: { ...exported, kid, alg, use: 'sig' }, privateKey, publicKey: createPublicKey(privateKey), encodedHeader: `${header}.` };
}

/** Only what mintAccessToken asks of the key store: the key that signs now. */
const keysWith = (key: LoadedKey) => ({ signer: () => key }) as unknown as SigningKeys;

const INPUT: AccessTokenInput = {
  subject: 'agt_1',
  clientId: 'mcl_1',
  audience: ['https://api.example', ISSUER],
  scopes: ['orders:read', 'orders:write'],
  ttlSeconds: 600,
  agent: { purpose: 'calendar-management', owner: 'alice@example.com', data_classification: 'internal', environment: 'production' },
  jkt: 'thumbprint',
  act: { sub: 'agt_parent', client_id: 'mcl_parent' },
  extra: { task_id: 'tsk_1' },
};

/**
 * Access tokens are signed by hand with node:crypto's synchronous sign (tokens.ts); jose does
 * everything else. What comes out must be what jose itself would have produced.
 */
describe('access tokens signed with node:crypto', () => {
  it.each(['EdDSA', 'ES256'] as const)('%s: jose verifies them, with the header and claims jose would write', async (alg) => {
    const key = await loadedKey(alg);
    const issued = mintAccessToken(keysWith(key), ISSUER, INPUT, NOW_MS);
    const verified = await jwtVerify(issued.token, await importJWK(key.publicJwk, alg), { issuer: ISSUER, audience: ISSUER, typ: 'at+jwt', currentDate: new Date(NOW_MS) });
    expect(verified.protectedHeader).toEqual({ alg, typ: 'at+jwt', kid: key.kid });
    expect(verified.payload).toEqual(issued.claims);
    expect(Object.keys(verified.payload)).toEqual(['task_id', 'iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope', 'agent', 'cnf', 'act']);
    expect(decodeProtectedHeader(issued.token)).toEqual({ alg, typ: 'at+jwt', kid: key.kid });

    // jose signing the same claims with the same header: the same header and payload bytes.
    const [header, payload, signature] = issued.token.split('.');
    const byJose = await new SignJWT(issued.claims).setProtectedHeader({ alg, typ: 'at+jwt', kid: key.kid }).sign(key.privateKey);
    const [joseHeader, josePayload, joseSignature] = byJose.split('.');
    expect([header, payload]).toEqual([joseHeader, josePayload]);
    // Ed25519 signatures are deterministic: the whole token is byte-identical. ECDSA's are
    // randomised, but raw r||s of the same length (RFC 7518 §3.4), not DER.
    if (alg === 'EdDSA') expect(signature).toBe(joseSignature);
    else expect(Buffer.from(signature!, 'base64url')).toHaveLength(Buffer.from(joseSignature!, 'base64url').length);
  });

  it('a token whose payload was altered after signing does not verify', async () => {
    const key = await loadedKey('EdDSA');
    const [header, , signature] = mintAccessToken(keysWith(key), ISSUER, INPUT, NOW_MS).token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...INPUT, scope: 'admin' })).toString('base64url');
    await expect(jwtVerify(`${header}.${forged}.${signature}`, await importJWK(key.publicJwk, 'EdDSA'))).rejects.toThrow(/signature/);
  });
});
