import { createPublicKey } from 'node:crypto';
import { ValidationError } from '../shared/errors.js';
import { x509 } from './x509.js';

/**
 * Agent keys Mandate certifies, as data (STYLE.md §3): the key type from node:crypto, and
 * what each must satisfy. Anything else is refused with the list.
 */
const ACCEPTED_KEYS: Record<string, (details: { namedCurve?: string; modulusLength?: number }) => boolean> = {
  ec: (d) => d.namedCurve === 'prime256v1' || d.namedCurve === 'secp384r1',
  ed25519: () => true,
  rsa: (d) => (d.modulusLength ?? 0) >= 2048,
};
const ACCEPTED_TEXT = 'ECDSA P-256 or P-384, Ed25519, or RSA of at least 2048 bits';

/** A CSR whose signature proves possession of its key; only its public key is used. */
export interface CheckedCsr {
  publicKey: x509.PublicKey;
  /** The URI SANs the CSR asked for (ignored: Mandate sets the identity), for the audit entry. */
  requestedUris: string[];
}

/**
 * Parses and checks a PKCS#10 CSR in PEM: size, form, self-signature (proof of possession)
 * and key type. Names, SANs and extensions it asks for are not used.
 */
export async function checkCsr(pem: unknown, maxBytes: number): Promise<CheckedCsr> {
  if (typeof pem !== 'string' || pem.length === 0) throw new ValidationError('csr must be a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)');
  if (Buffer.byteLength(pem, 'utf8') > maxBytes) throw new ValidationError(`csr exceeds ${maxBytes} bytes`, { limit: maxBytes });
  if (!/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(pem)) throw new ValidationError('csr must be a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)');
  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(pem.replaceAll('NEW CERTIFICATE REQUEST', 'CERTIFICATE REQUEST'));
  } catch (error) {
    throw new ValidationError(`csr is not a valid PKCS#10 request: ${(error as Error).message}`);
  }
  let keyType: string | undefined;
  let details: { namedCurve?: string; modulusLength?: number } = {};
  try {
    const key = createPublicKey({ key: Buffer.from(request.publicKey.rawData), format: 'der', type: 'spki' });
    keyType = key.asymmetricKeyType;
    details = key.asymmetricKeyDetails ?? {};
  } catch {
    keyType = undefined;
  }
  const accepts = keyType === undefined ? undefined : ACCEPTED_KEYS[keyType];
  if (!accepts || !accepts(details)) throw new ValidationError(`csr key is not accepted; use ${ACCEPTED_TEXT}`);
  let verified = false;
  try {
    verified = await request.verify();
  } catch {
    verified = false;
  }
  if (!verified) throw new ValidationError('csr signature does not verify (the request must be signed by its own key)');
  const san = request.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const requestedUris = san ? san.names.items.filter((n) => n.type === 'url').map((n) => n.value) : [];
  return { publicKey: request.publicKey, requestedUris };
}
