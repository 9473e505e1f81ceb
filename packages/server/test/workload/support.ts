/**
 * Workload identity suites: an agent's access token from the token endpoint, and CSRs made
 * with @peculiar/x509 the way an agent would (its key never leaves the test).
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { basic, postForm, type RegisteredAgent } from '../support/agents.js';
import type { TestServer } from '../support/server.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
export { x509 };

export async function agentToken(server: TestServer, agent: RegisteredAgent): Promise<string> {
  const { status, body } = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) });
  if (status !== 200) throw new Error(`token request failed: ${status} ${JSON.stringify(body)}`);
  return body.access_token as string;
}

export interface AgentKey {
  keys: CryptoKeyPair;
  /** The private key as PKCS#8 PEM (for node's tls). */
  pem: string;
}

export async function agentKey(): Promise<AgentKey> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey));
  return { keys, pem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

/** A CSR signed by `key`, asking for `uris` as URI SANs (Mandate ignores them). */
export async function csrFor(key: AgentKey, uris: string[] = []): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: 'CN=whoever',
    keys: key.keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: uris.length > 0 ? [new x509.SubjectAlternativeNameExtension(uris.map((value) => ({ type: 'url' as const, value })))] : [],
  });
  return csr.toString('pem');
}
