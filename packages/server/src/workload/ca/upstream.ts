import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { subtle, x509, type CryptoKey } from '../x509.js';

/** An operator's CA that signs Mandate's CA as an intermediate (config `workload.upstreamCa*`). */
export interface UpstreamCa {
  /** The upstream certificate that signs ours. */
  certificate: x509.X509Certificate;
  /** PEMs from the signing upstream certificate up to, not including, the anchor. */
  chain: string[];
  /** The trust anchor peers hold (the last certificate of the file, or the only one). */
  anchor: string;
  key: CryptoKey;
  signingAlgorithm: { name: string; hash: string };
}

/** Upstream keys Mandate can sign with: ECDSA on these curves, each with its hash. */
const UPSTREAM_CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
};

export class UpstreamCaError extends Error {
  constructor(key: string, reason: string) {
    super(`config workload.${key}: ${reason}`);
  }
}

function readText(key: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UpstreamCaError(key, `cannot read '${file}': ${(error as Error).message}`);
  }
}

/**
 * Reads and checks the operator's upstream CA: both files or neither, a CA certificate
 * (basicConstraints CA), and a private key that belongs to it. Every failure names the key.
 */
export async function loadUpstreamCa(files: { certFile?: string | undefined; keyFile?: string | undefined }): Promise<UpstreamCa | null> {
  if (!files.certFile && !files.keyFile) return null;
  if (!files.certFile || !files.keyFile) throw new UpstreamCaError(files.certFile ? 'upstreamCaKeyFile' : 'upstreamCaCertFile', 'set both upstreamCaCertFile and upstreamCaKeyFile, or neither');
  const pems = x509.PemConverter.decodeWithHeaders(readText('upstreamCaCertFile', files.certFile)).filter((p) => p.type === 'CERTIFICATE');
  if (pems.length === 0) throw new UpstreamCaError('upstreamCaCertFile', 'holds no PEM certificate');
  const certificates = pems.map((p) => new x509.X509Certificate(p.rawData));
  const signing = certificates[0]!;
  const constraints = signing.getExtension(x509.BasicConstraintsExtension);
  if (!constraints?.ca) throw new UpstreamCaError('upstreamCaCertFile', 'the first certificate is not a CA (basicConstraints CA:TRUE)');
  let privateKey;
  try {
    privateKey = createPrivateKey(readText('upstreamCaKeyFile', files.keyFile));
  } catch (error) {
    if (error instanceof UpstreamCaError) throw error;
    throw new UpstreamCaError('upstreamCaKeyFile', `not a PEM private key: ${(error as Error).message}`);
  }
  const curve = UPSTREAM_CURVES[privateKey.asymmetricKeyDetails?.namedCurve ?? ''];
  if (privateKey.asymmetricKeyType !== 'ec' || !curve) throw new UpstreamCaError('upstreamCaKeyFile', 'must be an ECDSA key on P-256 or P-384');
  const own = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const certified = new X509Certificate(Buffer.from(signing.rawData)).publicKey.export({ type: 'spki', format: 'der' });
  if (!own.equals(certified)) throw new UpstreamCaError('upstreamCaKeyFile', 'does not belong to the first certificate of upstreamCaCertFile');
  const key = await subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: curve.namedCurve }, false, ['sign']);
  const pemOf = (c: x509.X509Certificate) => c.toString('pem');
  return {
    certificate: signing,
    chain: certificates.length > 1 ? certificates.slice(0, -1).map(pemOf) : [],
    anchor: pemOf(certificates[certificates.length - 1]!),
    key,
    signingAlgorithm: { name: 'ECDSA', hash: curve.hash },
  };
}
