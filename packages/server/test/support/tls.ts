import { webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { x509 } from '../workload/support.js';

/** A throwaway CA and a server certificate for 127.0.0.1, as an operator would configure. */
export async function serverTls(dir: string): Promise<{ certFile: string; keyFile: string; caPem: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256' } as const;
  const sign = { name: 'ECDSA', hash: 'SHA-256' } as const;
  const caKeys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Test server CA',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys: caKeys,
    signingAlgorithm: sign,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  const leafKeys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=127.0.0.1',
    issuer: ca.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: sign,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey as never));
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server.key');
  writeFileSync(certFile, leaf.toString('pem'));
  writeFileSync(keyFile, x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
  return { certFile, keyFile, caPem: ca.toString('pem') };
}

