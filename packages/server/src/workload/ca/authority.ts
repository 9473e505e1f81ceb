import { randomBytes } from 'node:crypto';
import type { Envelope } from '../../crypto/index.js';
import { isoTime } from '../../shared/clock.js';
import { randomId } from '../../shared/ids.js';
import { trustDomainId } from '../spiffe.js';
import type { AuthorityRow } from '../tables.js';
import { CA_KEY_ALGORITHM, CA_SIGNING_ALGORITHM, subtle, x509, type CryptoKey, type CryptoKeyPair } from '../x509.js';
import type { UpstreamCa } from './upstream.js';

/** A CA loaded for signing: its certificate, its chain towards the anchor, and its key (in memory only). */
export interface SigningAuthority {
  id: string;
  certificate: x509.X509Certificate;
  pem: string;
  /** PEMs between this CA's certificate and the anchor, this certificate excluded. */
  chain: string[];
  anchor: string;
  key: CryptoKey;
  state: 'prepared' | 'active' | 'retired';
  notBefore: number;
  notAfter: number;
  activatedAt: number | null;
  removeAt: number | null;
}

/** A CA certificate older than its issue by this much: peers with a slightly slow clock accept it. */
const BACKDATE_MS = 60_000;

/** A positive 128-bit serial number (RFC 5280 §4.1.2.2: at most 20 octets, positive), lower-case hex. */
export function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return bytes.toString('hex');
}

export const sealContext = (id: string) => `workload-ca:${id}`;

export interface MintAuthority {
  trustDomain: string;
  ttlSeconds: number;
  now: number;
  upstream: UpstreamCa | null;
}

/**
 * Makes a new CA: an ECDSA P-256 key pair and its certificate, self-signed (a root) or
 * signed by the operator's upstream CA (an intermediate, never outliving it). The key
 * leaves this function only sealed with the master key. The row is `prepared`.
 */
export async function mintAuthority(input: MintAuthority, envelope: Envelope): Promise<AuthorityRow> {
  const { trustDomain, upstream, now } = input;
  const id = randomId('ca');
  const keys = (await subtle.generateKey(CA_KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notBefore = new Date(now - BACKDATE_MS);
  let notAfter = new Date(now + input.ttlSeconds * 1000);
  if (upstream && upstream.certificate.notAfter < notAfter) notAfter = upstream.certificate.notAfter;
  const name = `CN=Mandate workload CA ${id.slice(3, 11)}, O=${trustDomain.replace(/[,+"\\<>;=]/g, '_')}`;
  const extensions = [
    // Signs leaves only: a path length of 0 forbids any CA below it.
    new x509.BasicConstraintsExtension(true, 0, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    new x509.SubjectAlternativeNameExtension([{ type: 'url', value: trustDomainId(trustDomain) }]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const certificate = upstream
    ? await x509.X509CertificateGenerator.create({
        serialNumber: newSerial(),
        subject: name,
        issuer: upstream.certificate.subject,
        notBefore,
        notAfter,
        publicKey: keys.publicKey,
        signingKey: upstream.key,
        signingAlgorithm: upstream.signingAlgorithm,
        extensions: [...extensions, await x509.AuthorityKeyIdentifierExtension.create(upstream.certificate.publicKey)],
      })
    : await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: newSerial(), name, notBefore, notAfter, keys, signingAlgorithm: CA_SIGNING_ALGORITHM, extensions });
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey));
  const pem = certificate.toString('pem');
  const row: AuthorityRow = {
    id,
    certificate: pem,
    anchor: upstream ? upstream.anchor : pem,
    chain: JSON.stringify(upstream ? upstream.chain : []),
    sealed_key: envelope.encrypt(pkcs8, sealContext(id)),
    state: 'prepared',
    not_before: isoTime(notBefore.getTime()),
    not_after: isoTime(notAfter.getTime()),
    created_at: isoTime(now),
    activated_at: null,
    remove_at: null,
  };
  pkcs8.fill(0);
  return row;
}

/** Opens a stored CA: its key unsealed into a non-extractable WebCrypto key. */
export async function openAuthority(row: AuthorityRow, envelope: Envelope): Promise<SigningAuthority> {
  const pkcs8 = envelope.decrypt(row.sealed_key, sealContext(row.id));
  try {
    const key = await subtle.importKey('pkcs8', new Uint8Array(pkcs8), CA_KEY_ALGORITHM, false, ['sign']);
    const certificate = new x509.X509Certificate(row.certificate);
    const upstreamChain = JSON.parse(row.chain) as string[];
    return {
      id: row.id,
      certificate,
      pem: row.certificate,
      // The anchor is never sent: a root's chain is empty, an intermediate sends itself and what is above it.
      chain: row.anchor === row.certificate ? [] : [row.certificate, ...upstreamChain],
      anchor: row.anchor,
      key,
      state: row.state as SigningAuthority['state'],
      notBefore: Date.parse(row.not_before),
      notAfter: Date.parse(row.not_after),
      activatedAt: row.activated_at === null ? null : Date.parse(row.activated_at),
      removeAt: row.remove_at === null ? null : Date.parse(row.remove_at),
    };
  } finally {
    pkcs8.fill(0);
  }
}
