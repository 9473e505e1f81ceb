import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SigningAuthority } from '../ca/authority.js';
import { authenticateOwnJwtSvid, type OwnSvidCheck } from './own-svids.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ISSUER = 'https://mandate.example';
const NOW = Date.UTC(2026, 11, 2, 10);

/** A CA key and certificate of its own (only `id` and `pem` are read), and JWTs it signs. */
describe('Mandate JWT-SVIDs as client assertions (pure)', () => {
  let keys: CryptoKeyPair;
  let check: OwnSvidCheck;
  beforeAll(async () => {
    keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as unknown as CryptoKeyPair;
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({ name: 'CN=test CA', keys, notBefore: new Date(NOW - 3_600_000), notAfter: new Date(NOW + 3_600_000), signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
    const authority = { id: 'ca_1', pem: certificate.toString('pem') } as unknown as SigningAuthority;
    check = { issuer: ISSUER, audiences: [ISSUER, `${ISSUER}/oauth2/token`], trustDomain: 'mandate.local', authorities: [authority], skewSeconds: 30, now: NOW };
  });

  const svid = (sub: string, { iss = ISSUER, aud = `${ISSUER}/oauth2/token`, kid = 'ca_1' } = {}) =>
    new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid }).setIssuer(iss).setSubject(sub).setAudience(aud).setIssuedAt(NOW / 1000).setExpirationTime(NOW / 1000 + 300).sign(keys.privateKey as never);

  it('maps an agent SPIFFE ID of the trust domain to that agent', async () => {
    expect(await authenticateOwnJwtSvid(await svid('spiffe://mandate.local/agent/agt_a%2Fb'), check)).toEqual({ agentId: 'agt_a/b' });
  });

  it('refuses a sub of another trust domain or not naming an agent', async () => {
    for (const sub of ['spiffe://other.example/agent/agt_a', 'spiffe://mandate.local/workload/agt_a', 'spiffe://mandate.local/agent/a/b', 'agt_a']) {
      expect(await authenticateOwnJwtSvid(await svid(sub), check)).toMatchObject({ refused: expect.stringMatching(/is not an agent of trust domain 'mandate.local'/) });
    }
  });

  it('refuses another issuer, another audience and a key id no published CA has', async () => {
    const sub = 'spiffe://mandate.local/agent/agt_a';
    for (const token of [await svid(sub, { iss: 'https://elsewhere.example' }), await svid(sub, { aud: 'spiffe://mandate.local/agent/agt_b' }), await svid(sub, { kid: 'ca_gone' })]) {
      expect(await authenticateOwnJwtSvid(token, check)).toMatchObject({ refused: expect.stringMatching(/does not verify against Mandate's trust bundle/) });
    }
  });
});
