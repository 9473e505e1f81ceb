/**
 * OPA's crypto.* builtins: digests and HMACs (hex), constant-time MAC
 * comparison, and X.509 parsing (certificates, chains, CSRs, private keys,
 * key pairs) in the JSON shape OPA gives (see crypto-x509-json.ts).
 * Inputs are PEM, base64 of PEM, or base64 of DER, as OPA accepts them.
 */
import {
  X509Certificate, createHash, createHmac, createPrivateKey, createPublicKey, timingSafeEqual, type KeyObject,
} from 'node:crypto';
import { fromJSON, numberFromBigInt, type Value } from '../value.js';
import { certificateJSON, certificateRequestJSON, px } from './crypto-x509-json.js';
import { EncodingError, base64StdDecode } from './jwt-encoding.js';
import { decodePem } from './jwt-keys.js';
import { BuiltinError, registerBuiltins, type BuiltinContext, type BuiltinDef } from './registry.js';

function fail(e: unknown): never {
  if (e instanceof BuiltinError) throw e;
  throw new BuiltinError(e instanceof Error ? e.message : String(e));
}

function std64(s: string): Buffer {
  try {
    return base64StdDecode(s);
  } catch (e) {
    if (e instanceof EncodingError) throw new BuiltinError(e.message);
    throw e;
  }
}

function digest(name: string, algorithm: string): BuiltinDef {
  return {
    name,
    args: ['string'],
    result: 'string',
    impl: ([s]) => createHash(algorithm).update(s as string, 'utf8').digest('hex'),
  };
}

function hmac(name: string, algorithm: string): BuiltinDef {
  return {
    name,
    args: ['string', 'string'],
    result: 'string',
    impl: ([message, key]) => createHmac(algorithm, Buffer.from(key as string, 'utf8')).update(message as string, 'utf8').digest('hex'),
  };
}

/** Splits concatenated DER certificates (Go's x509.ParseCertificates). */
function splitDer(der: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < der.length) {
    if (der[i] !== 0x30 || i + 1 >= der.length) throw new BuiltinError('x509: malformed certificate');
    let len = der[i + 1]!;
    let header = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4 || i + 2 + n > der.length) throw new BuiltinError('x509: malformed certificate');
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + der[i + 2 + k]!;
      header = 2 + n;
    }
    const end = i + header + len;
    if (end > der.length) throw new BuiltinError('x509: malformed certificate');
    out.push(der.subarray(i, end));
    i = end;
  }
  return out;
}

function parseDerCertificates(der: Buffer): px.X509Certificate[] {
  return splitDer(der).map((d) => {
    try {
      return new px.X509Certificate(new Uint8Array(d));
    } catch {
      throw new BuiltinError('x509: malformed certificate');
    }
  });
}

function certsFromPem(text: string): px.X509Certificate[] {
  const ders: Buffer[] = [];
  let rest = text;
  for (;;) {
    const block = decodePem(rest);
    if (!block) break;
    if (block.type !== 'CERTIFICATE') throw new BuiltinError(`PEM block type is '${block.type}', expected CERTIFICATE`);
    ders.push(block.bytes);
    rest = block.rest;
  }
  return parseDerCertificates(Buffer.concat(ders));
}

/** OPA's getX509CertsFromString: PEM, base64 of PEM, or base64 of DER. */
function certificates(input: string): px.X509Certificate[] {
  if (input.startsWith('-----BEGIN')) return certsFromPem(input);
  const bytes = std64(input);
  if (bytes.subarray(0, 10).toString('latin1') === '-----BEGIN') return certsFromPem(bytes.toString('utf8'));
  return parseDerCertificates(bytes);
}

/** Go's ExtKeyUsage check for a leaf without explicit usages: server auth (or any, or none listed). */
function allowsServerAuth(cert: px.X509Certificate): boolean {
  const eku = cert.getExtension(px.ExtendedKeyUsageExtension);
  if (!eku) return true;
  const usages = eku.usages.map(String);
  return usages.includes('1.3.6.1.5.5.7.3.1') || usages.includes('2.5.29.37.0');
}

/**
 * OPA's chain check: the first certificate is the root, the last the leaf,
 * the rest intermediates. Each must be signed by the next one up, be valid at
 * the evaluation time, and every issuer must be a CA.
 */
function verifyChain(certs: px.X509Certificate[], nowMs: number): px.X509Certificate[] | null {
  if (certs.length < 2) return null;
  const nodes = certs.map((c) => ({ px: c, node: new X509Certificate(Buffer.from(c.rawData)) }));
  const root = nodes[0]!;
  const leaf = nodes[nodes.length - 1]!;
  const pool = [...nodes.slice(1, -1), root];
  const chain = [leaf];
  const valid = (c: (typeof nodes)[number]) => c.px.notBefore.getTime() <= nowMs && nowMs <= c.px.notAfter.getTime();
  const isCA = (c: (typeof nodes)[number]) => c.px.getExtension(px.BasicConstraintsExtension)?.ca === true;
  if (!valid(leaf) || !allowsServerAuth(leaf.px)) return null;
  let current = leaf;
  for (let depth = 0; depth < nodes.length; depth++) {
    const issuer = pool.find((c) => c !== current && current.node.checkIssued(c.node) && current.node.verify(c.node.publicKey) && isCA(c) && valid(c));
    if (!issuer) return null;
    chain.push(issuer);
    if (issuer === root) return chain.map((c) => c.px);
    current = issuer;
  }
  return null;
}

/** Private keys in PEM data (OPA's getPrivateKeysFromPEMData). */
function privateKeys(data: string): KeyObject[] {
  let text = data;
  try {
    text = base64StdDecode(data).toString('utf8');
  } catch {
    text = data;
  }
  const keys: KeyObject[] = [];
  for (;;) {
    const block = decodePem(text);
    if (!block) break;
    text = block.rest;
    const formats: Record<string, 'pkcs1' | 'pkcs8' | 'sec1'> = { 'RSA PRIVATE KEY': 'pkcs1', 'PRIVATE KEY': 'pkcs8', 'EC PRIVATE KEY': 'sec1' };
    const type = formats[block.type];
    if (!type) continue;
    try {
      keys.push(createPrivateKey({ key: block.bytes, format: 'der', type }));
    } catch (e) {
      fail(e);
    }
  }
  return keys;
}

const big = (s: string | undefined) => numberFromBigInt(s ? BigInt(`0x${Buffer.from(s, 'base64url').toString('hex') || '0'}`) : 0n);

/** A private key as Go's encoding/json writes crypto.PrivateKey values. */
function goPrivateKey(key: KeyObject): Value {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty === 'RSA') {
    return fromJSON({ N: big(jwk.n), E: big(jwk.e), D: big(jwk.d), Primes: [big(jwk.p), big(jwk.q)],
      Precomputed: { Dp: big(jwk.dp), Dq: big(jwk.dq), Qinv: big(jwk.qi), CRTValues: [] } });
  }
  if (jwk.kty === 'EC') return fromJSON({ Curve: { Name: jwk.crv }, X: big(jwk.x), Y: big(jwk.y), D: big(jwk.d) });
  return fromJSON(Buffer.concat([Buffer.from(jwk.d ?? '', 'base64url'), Buffer.from(jwk.x ?? '', 'base64url')]).toString('base64'));
}

function pemOrBase64(s: string): string {
  return s.startsWith('-----BEGIN ') ? s : std64(s).toString('latin1');
}

/** OPA's crypto.x509.parse_keypair: Go's tls.Certificate for a certificate and its private key. */
function parseKeypair(certText: string, keyText: string): Value {
  let certPem = pemOrBase64(certText);
  let keyPem = pemOrBase64(keyText);
  if (!certPem.startsWith('-----BEGIN ')) certPem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(certPem, 'latin1').toString('base64')}\n-----END CERTIFICATE-----\n`;
  if (!keyPem.startsWith('-----BEGIN')) keyPem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(keyPem, 'latin1').toString('base64')}\n-----END PRIVATE KEY-----\n`;
  const certs = certsFromPem(certPem);
  if (certs.length === 0) throw new BuiltinError('tls: failed to find any PEM data in certificate input');
  const keys = privateKeys(keyPem);
  if (keys.length === 0) throw new BuiltinError('tls: failed to find any PEM data in key input');
  const key = keys[0]!;
  const leafKey = createPublicKey({ key: Buffer.from(certs[0]!.publicKey.rawData), format: 'der', type: 'spki' });
  const pub = (k: KeyObject) => k.export({ format: 'der', type: 'spki' }) as Buffer;
  if (!pub(createPublicKey(key)).equals(pub(leafKey))) throw new BuiltinError('tls: private key does not match public key');
  return fromJSON({
    Certificate: certs.map((c) => Buffer.from(c.rawData).toString('base64')),
    PrivateKey: goPrivateKey(key),
    OCSPStaple: null,
    SignedCertificateTimestamps: null,
    SupportedSignatureAlgorithms: null,
    Leaf: certificateJSON(certs[0]!),
  });
}

registerBuiltins([
  digest('crypto.md5', 'md5'),
  digest('crypto.sha1', 'sha1'),
  digest('crypto.sha256', 'sha256'),
  hmac('crypto.hmac.md5', 'md5'),
  hmac('crypto.hmac.sha1', 'sha1'),
  hmac('crypto.hmac.sha256', 'sha256'),
  hmac('crypto.hmac.sha512', 'sha512'),
  {
    name: 'crypto.hmac.equal',
    args: ['string', 'string'],
    result: 'boolean',
    impl: ([a, b]) => {
      const x = Buffer.from(a as string, 'utf8');
      const y = Buffer.from(b as string, 'utf8');
      return x.length === y.length && timingSafeEqual(x, y);
    },
  },
  {
    name: 'crypto.x509.parse_certificates',
    args: ['string'],
    result: 'array',
    impl: ([s]) => certificates(s as string).map(certificateJSON),
  },
  {
    name: 'crypto.x509.parse_and_verify_certificates',
    args: ['string'],
    result: 'array',
    impl: ([s], ctx: BuiltinContext) => {
      let certs: px.X509Certificate[];
      try {
        certs = certificates(s as string);
      } catch {
        return [false, []];
      }
      const chain = verifyChain(certs, Number(ctx.nowNs / 1_000_000n));
      return chain ? [true, chain.map(certificateJSON)] : [false, []];
    },
  },
  {
    name: 'crypto.x509.parse_certificate_request',
    args: ['string'],
    result: 'object',
    impl: ([s]) => {
      const input = s as string;
      let bytes = input.startsWith('-----BEGIN CERTIFICATE REQUEST-----') ? Buffer.from(input, 'utf8') : std64(input);
      const block = decodePem(bytes.toString('latin1'));
      if (block && block.type !== 'CERTIFICATE REQUEST') throw new BuiltinError('invalid PEM-encoded certificate signing request');
      if (block) bytes = block.bytes;
      try {
        return certificateRequestJSON(new px.Pkcs10CertificateRequest(new Uint8Array(bytes)));
      } catch (e) {
        // Go reports undecodable DER as an asn1 structure error.
        throw new BuiltinError(`asn1: structure error: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  },
  {
    name: 'crypto.x509.parse_rsa_private_key',
    args: ['string'],
    result: 'object',
    impl: ([s]) => {
      const input = s as string;
      if (input === '') throw new BuiltinError('input PEM data was empty');
      const text = input.startsWith('-----BEGIN') ? input : std64(input).toString('utf8');
      const keys = privateKeys(text);
      if (keys.length === 0) return null;
      return fromJSON(keys[0]!.export({ format: 'jwk' }));
    },
  },
  {
    name: 'crypto.parse_private_keys',
    args: ['string'],
    result: 'array',
    impl: ([s]) => (s === '' ? null : privateKeys(s as string).map(goPrivateKey)),
  },
  {
    name: 'crypto.x509.parse_keypair',
    args: ['string', 'string'],
    result: 'object',
    impl: ([c, k]) => {
      try {
        return parseKeypair(c as string, k as string);
      } catch (e) {
        return fail(e);
      }
    },
  },
]);
