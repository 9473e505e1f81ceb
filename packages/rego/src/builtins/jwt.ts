/**
 * OPA's io.jwt.* builtins: decoding, signature verification for every JWS
 * algorithm OPA supports, full decode_verify with its constraints (cert,
 * secret, alg, iss, aud, time), and signing.
 *
 * Why not jose: builtins run synchronously and jose's verify/sign/importJWK
 * are async (WebCrypto). Signatures are therefore checked with node:crypto's
 * synchronous verify (jwt-algorithms.ts), keys imported with node:crypto
 * (jwt-keys.ts), and the token text is split and base64url-decoded here so
 * that errors carry OPA's exact messages (e.g. "illegal base64 data at input
 * byte 17"), which jose's decodeJwt does not give.
 */
import { createSecretKey } from 'node:crypto';
import { RObject, isNumber, toDouble, type Value } from '../value.js';
import { ALGORITHMS, SigningError, isKnownAlgorithm, signData, verifySignature } from './jwt-algorithms.js';
import {
  EncodingError, base64UrlDecode, base64UrlEncode, goJSON, isValidJSON, parseJSONLastWins,
} from './jwt-encoding.js';
import { KeyError, signingKey, verificationKeys, type VerificationKey } from './jwt-keys.js';
import { BuiltinError, operandError, registerBuiltins, type BuiltinContext, type BuiltinDef } from './registry.js';

interface Token {
  header: string;
  payload: string;
  signature: string;
}

function stringOperand(v: Value, position: number): string {
  if (typeof v !== 'string') throw operandError(position, 'string', v);
  return v;
}

function splitToken(v: Value): Token {
  const text = stringOperand(v, 1);
  if (!text.includes('.')) throw new BuiltinError('encoded JWT had no period separators');
  const parts = text.split('.');
  if (parts.length !== 3) throw new BuiltinError(`encoded JWT must have 3 sections, found ${parts.length}`);
  return { header: parts[0]!, payload: parts[1]!, signature: parts[2]! };
}

function decoded(part: string, what?: string): Buffer {
  try {
    return base64UrlDecode(part);
  } catch (e) {
    if (e instanceof EncodingError) throw new BuiltinError(what ? `JWT ${what} had invalid encoding: ${e.message}` : e.message);
    throw e;
  }
}

function jsonObject(text: string): RObject {
  let v: Value;
  try {
    v = parseJSONLastWins(text);
  } catch (e) {
    throw new BuiltinError(`invalid JSON: ${(e as Error).message}`);
  }
  if (!(v instanceof RObject)) throw new BuiltinError('decoded JSON type was not an Object');
  return v;
}

function decodeHeader(token: Token): RObject {
  const text = decoded(token.header, 'header').toString('utf8');
  let header: RObject;
  try {
    header = jsonObject(text);
  } catch (e) {
    throw new BuiltinError(`bad JWT header: ${(e as Error).message}`);
  }
  // A JWE (encrypted token) has "enc"; OPA supports only JWS.
  if (header.has('enc')) throw new BuiltinError('JWT is a JWE object, which is not supported');
  return header;
}

interface HeaderFields {
  alg: string;
  kid: string;
  cty: string;
  crit: Set<string>;
  unknown: string[];
}

const STRING_FIELDS = ['alg', 'kid', 'typ', 'cty'] as const;

function headerFields(header: RObject): HeaderFields {
  const f: HeaderFields = { alg: '', kid: '', cty: '', crit: new Set(), unknown: [] };
  for (const [k, v] of header.entries()) {
    const name = k as string;
    if ((STRING_FIELDS as readonly string[]).includes(name)) {
      if (typeof v !== 'string') throw new BuiltinError(`${name}: must be a string`);
      if (name === 'alg') f.alg = v;
      else if (name === 'kid') f.kid = v;
      else if (name === 'cty') f.cty = v;
    } else if (name === 'crit') {
      if (!Array.isArray(v)) throw new BuiltinError('crit: must be a list');
      for (const c of v) if (typeof c === 'string') f.crit.add(c);
      if (f.crit.size === 0) throw new BuiltinError('crit: must be a nonempty list');
    } else {
      f.unknown.push(name);
    }
  }
  return f;
}

/** RFC 7515: alg is required, and a critical parameter we do not understand invalidates the token. */
function headerValid(f: HeaderFields): boolean {
  return f.alg !== '' && !f.unknown.some((u) => f.crit.has(u));
}

function keysOf(text: string): VerificationKey[] {
  try {
    return verificationKeys(text);
  } catch (e) {
    if (e instanceof KeyError) throw new BuiltinError(e.message);
    throw e;
  }
}

/**
 * Verifies with the first key whose kid matches the header's, or else with
 * each key in turn (skipping JWKS keys that name another algorithm).
 */
function verifyWithKeys(keys: VerificationKey[], kid: string, headerAlg: string, alg: string, data: Buffer, sig: Buffer): boolean {
  if (kid !== '') {
    const byKid = keys.find((k) => k.kid === kid);
    if (byKid) return verifySignature(alg, byKid.key, data, sig);
  }
  for (const k of keys) {
    if (k.alg !== '' && k.alg !== headerAlg) continue;
    if (verifySignature(alg, k.key, data, sig)) return true;
  }
  return false;
}

function signingInput(token: Token): Buffer {
  return Buffer.from(`${token.header}.${token.payload}`, 'utf8');
}

/** io.jwt.verify_<alg> with a certificate, public key or JWKS. */
function verifyAsymmetric(alg: string): BuiltinDef {
  return {
    name: `io.jwt.verify_${alg.toLowerCase()}`,
    args: ['string', 'string'],
    result: 'boolean',
    impl: ([jwt, keyText]) => {
      const token = splitToken(jwt!);
      const keys = keysOf(stringOperand(keyText!, 2));
      const sig = decoded(token.signature);
      const fields = headerFields(decodeHeader(token));
      return verifyWithKeys(keys, fields.kid, fields.alg, alg, signingInput(token), sig);
    },
  };
}

/** io.jwt.verify_hs<n> with a shared secret. */
function verifyHmac(alg: string): BuiltinDef {
  return {
    name: `io.jwt.verify_${alg.toLowerCase()}`,
    args: ['string', 'string'],
    result: 'boolean',
    impl: ([jwt, secret]) => {
      stringOperand(jwt!, 1);
      const key = createSecretKey(Buffer.from(stringOperand(secret!, 2), 'utf8'));
      const token = splitToken(jwt!);
      return verifySignature(alg, key, signingInput(token), decoded(token.signature));
    },
  };
}

function decodeToken(jwt: Value): Value[] {
  const token = splitToken(jwt);
  const header = decodeHeader(token);
  let payload = decoded(token.payload, 'payload').toString('utf8');
  // A nested token (cty JWT) is decoded in turn; jwt.io-style quoting is removed first.
  if (header.get('cty') === 'JWT') {
    payload = payload.replace(/^["']+|["']+$/g, '');
    return decodeToken(payload);
  }
  const claims = jsonObject(payload);
  const sig = decoded(token.signature, 'signature');
  return [header, claims, sig.toString('hex')];
}

interface Constraints {
  keys: VerificationKey[] | null;
  secret: string;
  alg: string;
  iss: string;
  aud: string;
  timeNs: number;
}

function timeConstraint(v: Value): number {
  if (!isNumber(v)) throw new BuiltinError('token time constraint: must be a number');
  const t = toDouble(v);
  if (t < 0) throw new BuiltinError('token time constraint: must not be negative');
  return t;
}

function parseConstraints(o: RObject, ctx: BuiltinContext): Constraints {
  const c: Constraints = { keys: null, secret: '', alg: '', iss: '', aud: '', timeNs: -1 };
  for (const [k, v] of o.entries()) {
    const name = typeof k === 'string' ? k : JSON.stringify(k);
    switch (name) {
      case 'cert':
        if (typeof v !== 'string') throw new BuiltinError('cert constraint: must be a string');
        c.keys = keysOf(v);
        break;
      case 'secret':
      case 'alg':
      case 'iss':
      case 'aud':
        if (typeof v !== 'string') throw new BuiltinError(`${name} constraint: must be a string`);
        c[name] = v;
        break;
      case 'time':
        c.timeNs = timeConstraint(v);
        break;
      default:
        throw new BuiltinError(`unknown token validation constraint: ${name}`);
    }
  }
  if (c.timeNs === -1) c.timeNs = Number(ctx.nowNs);
  const keyKinds = (c.keys !== null ? 1 : 0) + (c.secret !== '' ? 1 : 0);
  if (keyKinds > 1) throw new BuiltinError('duplicate key constraints');
  if (keyKinds < 1) throw new BuiltinError('no key constraint');
  return c;
}

function signatureVerified(c: Constraints, f: HeaderFields, token: Token, sig: Buffer): boolean {
  const data = signingInput(token);
  if (c.keys !== null) return verifyWithKeys(c.keys, f.kid, f.alg, f.alg, data, sig);
  return verifySignature(f.alg, createSecretKey(Buffer.from(c.secret, 'utf8')), data, sig);
}

function audienceMatches(aud: Value, want: string): boolean {
  if (typeof aud === 'string') return aud === want;
  return Array.isArray(aud) && aud.some((a) => typeof a === 'string' && a === want);
}

function decodeVerify([jwt, constraintArg]: Value[], ctx: BuiltinContext): Value {
  if (!(constraintArg instanceof RObject)) throw operandError(2, 'object', constraintArg!);
  const unverified: Value = [false, new RObject(), new RObject()];
  const c = parseConstraints(constraintArg, ctx);
  let current: Value = jwt!;
  let header: RObject;
  let payloadText: string;
  for (;;) {
    const token = splitToken(current);
    header = decodeHeader(token);
    const f = headerFields(header);
    if (!headerValid(f)) return unverified;
    if (c.alg !== '' && c.alg !== f.alg) return unverified;
    const sig = decoded(token.signature);
    if (!signatureVerified(c, f, token, sig)) return unverified;
    payloadText = decoded(token.payload, 'payload').toString('utf8');
    // A nested token (cty JWT, any case) must verify too.
    if (f.cty.toLowerCase() === 'jwt') {
      current = payloadText;
      continue;
    }
    break;
  }
  const payload = jsonObject(payloadText);
  if (c.iss !== '') {
    const iss = payload.get('iss');
    if (iss === undefined || iss !== c.iss) return unverified;
  }
  const aud = payload.get('aud');
  if (aud !== undefined ? !audienceMatches(aud, c.aud) : c.aud !== '') return unverified;
  const nowSec = c.timeNs / 1e9;
  const exp = payload.get('exp');
  if (exp !== undefined) {
    if (!isNumber(exp)) throw new BuiltinError('exp value must be a number');
    if (!(nowSec < toDouble(exp))) return unverified;
  }
  const nbf = payload.get('nbf');
  if (nbf !== undefined) {
    if (!isNumber(nbf)) throw new BuiltinError('nbf value must be a number');
    if (nowSec < toDouble(nbf)) return unverified;
  }
  return [true, header, payload];
}

/** Go's json error text for invalid JSON, closely enough for OPA's messages. */
function jsonErrorText(text: string): string {
  if (text.trim() === '') return 'unexpected end of JSON input';
  try {
    parseJSONLastWins(text);
    return '';
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const pos = m ? Number(m[1]) : text.length;
    if (pos >= text.length) return 'unexpected end of JSON input';
    return `invalid character ${JSON.stringify(text[pos]).replace(/^"|"$/g, "'")} in JSON input`;
  }
}

/** OPA's commonBuiltinJWTEncodeSign over raw header, payload and JWK texts. */
function encodeSign(headerText: string, payloadText: string, jwkText: string): string {
  let key;
  try {
    key = signingKey(jwkText);
  } catch (e) {
    throw new BuiltinError((e as Error).message);
  }
  let header: Value;
  try {
    header = parseJSONLastWins(headerText);
  } catch {
    throw new BuiltinError(`missing or invalid 'alg' header: cannot parse JSON: ${jsonErrorText(headerText)}`);
  }
  const alg = header instanceof RObject ? header.get('alg') : undefined;
  if (typeof alg !== 'string') throw new BuiltinError(`missing or invalid 'alg' header: jwsbb: header "alg" not found`);
  if (!isKnownAlgorithm(alg)) throw new BuiltinError(`unknown JWS algorithm: ${alg}`);
  const typ = header instanceof RObject ? header.get('typ') : undefined;
  if ((typeof typ !== 'string' || typ === 'JWT') && !isValidJSON(payloadText)) {
    throw new BuiltinError('type is JWT but payload is not JSON');
  }
  const input = `${base64UrlEncode(headerText)}.${base64UrlEncode(payloadText)}`;
  try {
    return `${input}.${base64UrlEncode(signData(alg, key, Buffer.from(input, 'utf8')))}`;
  } catch (e) {
    if (e instanceof SigningError) throw new BuiltinError(e.message);
    throw new BuiltinError(`failed to sign payload: ${(e as Error).message}`);
  }
}

const ASYMMETRIC = Object.keys(ALGORITHMS).filter((a) => !a.startsWith('HS'));
const HMAC = Object.keys(ALGORITHMS).filter((a) => a.startsWith('HS'));

registerBuiltins([
  ...ASYMMETRIC.map(verifyAsymmetric),
  ...HMAC.map(verifyHmac),
  { name: 'io.jwt.decode', args: ['string'], result: 'array', impl: ([jwt]) => decodeToken(jwt!) },
  { name: 'io.jwt.decode_verify', args: ['string', 'object'], result: 'array', impl: decodeVerify },
  {
    name: 'io.jwt.encode_sign_raw', walks: true,
    args: ['string', 'string', 'string'],
    result: 'string',
    nondeterministic: true, // PS* and ES* signatures are randomised
    impl: ([h, p, k]) => {
      const jwk = stringOperand(k!, 3);
      return encodeSign(stringOperand(h!, 1), stringOperand(p!, 2), jwk);
    },
  },
  {
    name: 'io.jwt.encode_sign', walks: true,
    args: ['object', 'object', 'object'],
    result: 'string',
    nondeterministic: true,
    impl: ([h, p, k]) => encodeSign(goJSON(h!), goJSON(p!), goJSON(k!)),
  },
]);
