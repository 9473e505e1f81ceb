// X.509 certificates and CSRs in the JSON shape OPA returns: Go's
// x509.Certificate / x509.CertificateRequest marshalled with encoding/json
// (field names as in Go, byte slices as base64, absent lists as null).
// Parsing is done by @peculiar/x509, which parses synchronously.

import 'reflect-metadata';
import { createPublicKey } from 'node:crypto';
import * as px from '@peculiar/x509';
import { fromJSON, numberFromBigInt, type Value } from '../value.js';

const NAME_FIELDS: ReadonlyArray<[string, string, boolean]> = [
  // Go field, attribute OID, whether Go keeps it as a list
  ['Country', '2.5.4.6', true],
  ['Organization', '2.5.4.10', true],
  ['OrganizationalUnit', '2.5.4.11', true],
  ['Locality', '2.5.4.7', true],
  ['Province', '2.5.4.8', true],
  ['StreetAddress', '2.5.4.9', true],
  ['PostalCode', '2.5.4.17', true],
  ['SerialNumber', '2.5.4.5', false],
  ['CommonName', '2.5.4.3', false],
];

/** Go's ExtKeyUsage numbers by OID. */
const EXT_KEY_USAGES: Readonly<Record<string, number>> = {
  '2.5.29.37.0': 0,
  '1.3.6.1.5.5.7.3.1': 1,
  '1.3.6.1.5.5.7.3.2': 2,
  '1.3.6.1.5.5.7.3.3': 3,
  '1.3.6.1.5.5.7.3.4': 4,
  '1.3.6.1.5.5.7.3.5': 5,
  '1.3.6.1.5.5.7.3.6': 6,
  '1.3.6.1.5.5.7.3.7': 7,
  '1.3.6.1.5.5.7.3.8': 8,
  '1.3.6.1.5.5.7.3.9': 9,
  '1.3.6.1.4.1.311.10.3.3': 10,
  '2.16.840.1.113730.4.1': 11,
  '1.3.6.1.4.1.311.2.1.22': 12,
  '1.3.6.1.4.1.311.61.1.1': 13,
};

const oidArray = (oid: string) => oid.split('.').map(Number);
const b64 = (buf: ArrayBuffer | Uint8Array) => Buffer.from(buf instanceof Uint8Array ? buf : new Uint8Array(buf)).toString('base64');
const orNull = <T>(xs: T[]) => (xs.length === 0 ? null : xs);

/** Go's pkix.Name. */
function pkixName(name: px.Name): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names: Array<{ Type: number[]; Value: string }> = [];
  for (const rdn of name.toJSON()) {
    for (const [type, values] of Object.entries(rdn)) {
      const oid = SHORT_NAMES[type] ?? type;
      for (const v of values) names.push({ Type: oidArray(oid), Value: v });
    }
  }
  for (const [field, oid, list] of NAME_FIELDS) {
    const values = names.filter((n) => n.Type.join('.') === oid).map((n) => n.Value);
    out[field] = list ? orNull(values) : (values.at(-1) ?? '');
  }
  out.Names = orNull(names);
  out.ExtraNames = null;
  return out;
}

/** @peculiar/x509 names attributes by short name (CN, O, ...); map those back to OIDs. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  CN: '2.5.4.3', L: '2.5.4.7', ST: '2.5.4.8', O: '2.5.4.10', OU: '2.5.4.11', C: '2.5.4.6',
  DC: '0.9.2342.19200300.100.1.25', E: '1.2.840.113549.1.9.1', G: '2.5.4.42', I: '2.5.4.43', SN: '2.5.4.4',
  T: '2.5.4.12', STREET: '2.5.4.9', serialNumber: '2.5.4.5', postalCode: '2.5.4.17',
};

function generalNames(ext: px.SubjectAlternativeNameExtension | null) {
  const items = ext?.names.items ?? [];
  const of = (type: string) => items.filter((i) => i.type === type).map((i) => i.value);
  return { dns: of('dns'), email: of('email'), ip: of('ip'), uri: of('url') };
}

/** Go's url.URL as encoding/json writes it, for the URIs field. */
function goURL(text: string): Record<string, unknown> {
  let u: URL | null = null;
  try {
    u = new URL(text);
  } catch {
    u = null;
  }
  return {
    Scheme: u ? u.protocol.replace(/:$/, '') : '',
    Opaque: '',
    User: null,
    Host: u ? u.host : '',
    Path: u ? decodeURIComponent(u.pathname === '/' && !/^[a-z]+:\/\/[^/]*\//i.test(text) ? '' : u.pathname) : text,
    RawPath: '',
    OmitHost: false,
    ForceQuery: false,
    RawQuery: u ? u.search.replace(/^\?/, '') : '',
    Fragment: u ? decodeURIComponent(u.hash.replace(/^#/, '')) : '',
    RawFragment: '',
  };
}

function publicKeyJSON(spki: ArrayBuffer): Record<string, unknown> | null {
  try {
    // node:crypto exports the key as JWK; turn it into Go's field names.
    const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    const big = (s: string | undefined) => (s ? BigInt(`0x${Buffer.from(s, 'base64url').toString('hex') || '0'}`) : 0n);
    if (jwk.kty === 'RSA') return { N: big(jwk.n), E: big(jwk.e) };
    if (jwk.kty === 'EC') return { Curve: { Name: jwk.crv }, X: big(jwk.x), Y: big(jwk.y) };
    if (jwk.kty === 'OKP') return { Key: jwk.x ? Buffer.from(jwk.x, 'base64url').toString('base64') : null };
  } catch {
    return null;
  }
  return null;
}

const PUBLIC_KEY_ALGORITHMS: Readonly<Record<string, number>> = { RSASSA_PKCS1_v1_5: 1, 'RSA-PSS': 1, ECDSA: 3, Ed25519: 4 };

function extensionsJSON(exts: px.Extension[]) {
  return orNull(exts.map((e) => ({ Id: oidArray(e.type), Critical: e.critical, Value: b64(e.value) })));
}

/** A certificate as OPA returns it, with OPA's extra URIStrings field. */
export function certificateJSON(cert: px.X509Certificate): Value {
  const san = generalNames(cert.getExtension(px.SubjectAlternativeNameExtension));
  const bc = cert.getExtension(px.BasicConstraintsExtension);
  const ku = cert.getExtension(px.KeyUsagesExtension);
  const eku = cert.getExtension(px.ExtendedKeyUsageExtension);
  const ski = cert.getExtension(px.SubjectKeyIdentifierExtension);
  const aki = cert.getExtension(px.AuthorityKeyIdentifierExtension);
  const ekuOids = (eku?.usages ?? []).map(String);
  const raw = Buffer.from(cert.rawData);
  const out: Record<string, unknown> = {
    Raw: raw.toString('base64'),
    Signature: b64(cert.signature),
    PublicKeyAlgorithm: PUBLIC_KEY_ALGORITHMS[cert.publicKey.algorithm.name] ?? 0,
    PublicKey: publicKeyJSON(cert.publicKey.rawData),
    Version: 3,
    SerialNumber: numberFromBigInt(BigInt(`0x${cert.serialNumber || '0'}`)),
    Issuer: pkixName(cert.issuerName),
    Subject: pkixName(cert.subjectName),
    NotBefore: cert.notBefore.toISOString().replace('.000Z', 'Z'),
    NotAfter: cert.notAfter.toISOString().replace('.000Z', 'Z'),
    KeyUsage: ku ? ku.usages : 0,
    Extensions: extensionsJSON(cert.extensions),
    ExtraExtensions: null,
    UnhandledCriticalExtensions: null,
    ExtKeyUsage: orNull(ekuOids.filter((o) => o in EXT_KEY_USAGES).map((o) => EXT_KEY_USAGES[o]!)),
    UnknownExtKeyUsage: orNull(ekuOids.filter((o) => !(o in EXT_KEY_USAGES)).map(oidArray)),
    BasicConstraintsValid: bc !== null,
    IsCA: bc?.ca ?? false,
    MaxPathLen: bc?.pathLength ?? (bc ? -1 : 0),
    MaxPathLenZero: bc?.pathLength === 0,
    SubjectKeyId: ski ? Buffer.from(ski.keyId, 'hex').toString('base64') : null,
    AuthorityKeyId: aki?.keyId ? Buffer.from(aki.keyId, 'hex').toString('base64') : null,
    DNSNames: orNull(san.dns),
    EmailAddresses: orNull(san.email),
    IPAddresses: orNull(san.ip),
    URIs: orNull(san.uri.map(goURL)),
    URIStrings: orNull(san.uri),
  };
  return fromJSON(out);
}

/** A CSR as OPA returns it (Go's x509.CertificateRequest). */
export function certificateRequestJSON(csr: px.Pkcs10CertificateRequest): Value {
  const san = generalNames((csr.extensions.find((e) => e instanceof px.SubjectAlternativeNameExtension) ?? null) as px.SubjectAlternativeNameExtension | null);
  const out: Record<string, unknown> = {
    Raw: Buffer.from(csr.rawData).toString('base64'),
    Version: 0,
    Signature: b64(csr.signature),
    PublicKeyAlgorithm: PUBLIC_KEY_ALGORITHMS[csr.publicKey.algorithm.name] ?? 0,
    PublicKey: publicKeyJSON(csr.publicKey.rawData),
    Subject: pkixName(csr.subjectName),
    Extensions: extensionsJSON(csr.extensions),
    ExtraExtensions: null,
    DNSNames: orNull(san.dns),
    EmailAddresses: orNull(san.email),
    IPAddresses: orNull(san.ip),
    URIs: orNull(san.uri.map(goURL)),
  };
  return fromJSON(out);
}

export { px };
