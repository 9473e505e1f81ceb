import { webcrypto } from 'node:crypto';

/**
 * A PKCS#10 request for an agent's key, made with @peculiar/x509 (an optional peer
 * dependency: only agents that use workload certificates load it). reflect-metadata is
 * imported first, as @peculiar/x509 needs. The subject is a placeholder: Mandate sets the
 * identity.
 */
export async function createCsr(keys: CryptoKeyPair): Promise<string> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=mandate-agent', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
  return csr.toString('pem');
}

/** A fresh ECDSA P-256 key pair; the private key leaves WebCrypto only as PEM for node's tls. */
export async function generateAgentKey(): Promise<{ keys: CryptoKeyPair; privateKeyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey));
  const body = pkcs8.toString('base64').match(/.{1,64}/g)!.join('\n');
  return { keys, privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n` };
}
