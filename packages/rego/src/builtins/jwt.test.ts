import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, compactVerify, importJWK, exportJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseJSON, toJSON, type Value } from '../value.js';
import { BuiltinError } from './registry.js';
import { callBuiltin, testContext } from './testing.js';
import { base64UrlDecode } from './jwt-encoding.js';
import { decodePem } from './jwt-keys.js';
import './jwt.js';

const NOW_NS = 1_700_000_000_000_000_000n;
const ctx = testContext({ nowNs: NOW_NS });
const call = (name: string, ...args: Value[]): Value => callBuiltin(name, args, ctx) as Value;

const obj = (x: unknown) => parseJSON(JSON.stringify(x));
const json = (v: Value) => JSON.parse(toJSON(v));

// RFC 7515 appendix A.1 key and the token OPA's own tests expect from it.
const OCT = { kty: 'oct', k: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow' };

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const pem = (k: { export(o: object): string | Buffer }) => k.export({ type: 'spki', format: 'pem' }) as string;

async function joseToken(alg: string, key: CryptoKey | Uint8Array | import('node:crypto').KeyObject, claims: object, header: object = {}) {
  return new SignJWT(claims as Record<string, unknown>).setProtectedHeader({ alg, typ: 'JWT', ...header }).sign(key);
}

describe('base64url as Go decodes it', () => {
  it('reports the offset of the first bad byte', () => {
    expect(() => base64UrlDecode('eyJzdWIiOiIwIiwia/XNzIjoib3BhIn0')).toThrow('illegal base64 data at input byte 17');
    expect(() => base64UrlDecode('abcde')).toThrow('illegal base64url string: abcde');
    expect(base64UrlDecode('e30').toString()).toBe('{}');
  });
});

describe('PEM blocks', () => {
  it('finds a block and what follows it', () => {
    const text = pem(rsa.publicKey);
    expect(decodePem(text)?.type).toBe('PUBLIC KEY');
    expect(decodePem(text)?.rest).toBe('');
    expect(decodePem(`${text}junk`)?.rest).toBe('junk');
    expect(decodePem('{"kty":"oct"}')).toBeNull();
  });
});

describe('io.jwt.decode', () => {
  it('decodes header, claims and hex signature', () => {
    const out = call('io.jwt.decode', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwIiwiaXNzIjoib3BhIn0.XmVoLoHI3pxMtMO_WRONMSJzGUDP9pDjy8Jp0_tdRXY');
    expect(json(out)).toEqual([{ alg: 'HS256', typ: 'JWT' }, { iss: 'opa', sub: '0' },
      '5e65682e81c8de9c4cb4c3bf59138d3122731940cff690e3cbc269d3fb5d4576']);
  });
  it('uses the last of duplicate claims and follows nested tokens', () => {
    const dup = call('io.jwt.decode', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiAiMCIsImlzcyI6ICJub3Qgb3BhIiwgImlzcyI6ICJhbHNvIG5vdCBvcGEiLCAiaXNzIjogIm9wYSJ9.XmVoLoHI3pxMtMO_WRONMSJzGUDP9pDjy8Jp0_tdRXY') as Value[];
    expect(json(dup[1]!)).toEqual({ iss: 'opa', sub: '0' });
    const nested = call('io.jwt.decode', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImN0eSI6IkpXVCJ9.ImV5SmhiR2NpT2lKSVV6STFOaUlzSW5SNWNDSTZJa3BYVkNKOS5leUp6ZFdJaU9pSXdJaXdpYVhOeklqb2liM0JoSW4wLlhtVm9Mb0hJM3B4TXRNT19XUk9OTVNKekdVRFA5cERqeThKcDBfdGRSWFki.8W0qx4mLxslmZl7wEMUWBxH7tST3XsEuWXxesXqFnRI') as Value[];
    expect(json(nested[1]!)).toEqual({ iss: 'opa', sub: '0' });
  });
  it('rejects malformed tokens with OPA messages', () => {
    expect(() => call('io.jwt.decode', 'abc')).toThrow('encoded JWT had no period separators');
    expect(() => call('io.jwt.decode', 'a.b')).toThrow('encoded JWT must have 3 sections, found 2');
    expect(() => call('io.jwt.decode', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwIiwia/XNzIjoib3BhIn0.XmVo'))
      .toThrow('JWT payload had invalid encoding: illegal base64 data at input byte 17');
    expect(() => call('io.jwt.decode', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImVuYyI6ImJsYWgifQ.e30.e30'))
      .toThrow('JWT is a JWE object, which is not supported');
  });
});

describe('io.jwt.verify_*', () => {
  it('verifies tokens signed by jose, with PEM keys and JWKS', async () => {
    const rs = await joseToken('RS256', rsa.privateKey, { sub: 'a' });
    expect(call('io.jwt.verify_rs256', rs, pem(rsa.publicKey))).toBe(true);
    expect(call('io.jwt.verify_ps256', rs, pem(rsa.publicKey))).toBe(false);
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256' }] });
    expect(call('io.jwt.verify_rs256', rs, jwks)).toBe(true);
    const ps = await joseToken('PS384', rsa.privateKey, { sub: 'a' });
    expect(call('io.jwt.verify_ps384', ps, pem(rsa.publicKey))).toBe(true);
    const es = await joseToken('ES256', ec.privateKey, { sub: 'a' });
    expect(call('io.jwt.verify_es256', es, pem(ec.publicKey))).toBe(true);
    expect(call('io.jwt.verify_es256', es, pem(rsa.publicKey))).toBe(false);
    const eddsa = await joseToken('EdDSA', ed.privateKey, { sub: 'a' });
    expect(call('io.jwt.verify_eddsa', eddsa, pem(ed.publicKey))).toBe(true);
    const hs = await joseToken('HS512', new TextEncoder().encode('secret'), { sub: 'a' });
    expect(call('io.jwt.verify_hs512', hs, 'secret')).toBe(true);
    expect(call('io.jwt.verify_hs512', hs, 'wrong')).toBe(false);
  });
  it('rejects unusable keys with OPA messages', async () => {
    const rs = await joseToken('RS256', rsa.privateKey, {});
    expect(() => call('io.jwt.verify_rs256', rs, `${pem(rsa.publicKey)}x`)).toThrow('extra data after a PEM certificate block');
    expect(() => call('io.jwt.verify_rs256', rs, '-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n')).toThrow('failed to extract a Key from the PEM certificate');
    expect(() => call('io.jwt.verify_rs256', rs, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow('failed to parse a PEM certificate');
    expect(() => call('io.jwt.verify_rs256', rs, '{"kty":"bogus"}')).toThrow('failed to parse a JWK key (set)');
  });
});

describe('io.jwt.decode_verify', () => {
  it('checks signature, alg, iss, aud, exp and nbf', async () => {
    const nowSec = Number(NOW_NS / 1_000_000_000n);
    const tok = await joseToken('RS256', rsa.privateKey, { iss: 'xxx', aud: ['fred', 'bob'], exp: nowSec + 60, nbf: nowSec - 60 });
    const cert = pem(rsa.publicKey);
    const ok = call('io.jwt.decode_verify', tok, obj({ cert, aud: 'bob', iss: 'xxx' })) as Value[];
    expect(ok[0]).toBe(true);
    expect(json(ok[1]!)).toEqual({ alg: 'RS256', typ: 'JWT' });
    const no = [false, {}, {}];
    expect(json(call('io.jwt.decode_verify', tok, obj({ cert, aud: 'cath' })))).toEqual(no);
    expect(json(call('io.jwt.decode_verify', tok, obj({ cert })))).toEqual(no); // aud present but not asked for
    expect(json(call('io.jwt.decode_verify', tok, obj({ cert, aud: 'bob', iss: 'yyy' })))).toEqual(no);
    expect(json(call('io.jwt.decode_verify', tok, obj({ cert, aud: 'bob', alg: 'PS256' })))).toEqual(no);
    expect(json(call('io.jwt.decode_verify', tok, obj({ cert, aud: 'bob', time: (nowSec + 120) * 1e9 })))).toEqual(no);
    expect(json(call('io.jwt.decode_verify', tok, obj({ cert, aud: 'bob', time: (nowSec - 120) * 1e9 })))).toEqual(no);
    expect(json(call('io.jwt.decode_verify', tok, obj({ secret: 'x', aud: 'bob' })))).toEqual(no);
  });
  it('rejects bad constraints', () => {
    expect(() => call('io.jwt.decode_verify', 'a.b.c', obj({}))).toThrow('no key constraint');
    expect(() => call('io.jwt.decode_verify', 'a.b.c', obj({ secret: 's', foo: 1 }))).toThrow('unknown token validation constraint: foo');
    expect(() => call('io.jwt.decode_verify', 'a.b.c', obj({ secret: 's', cert: pem(rsa.publicKey) }))).toThrow('duplicate key constraints');
  });
  it('reports a non-numeric exp', async () => {
    const tok = await joseToken('HS256', new TextEncoder().encode('s'), { exp: 'soon' });
    expect(() => call('io.jwt.decode_verify', tok, obj({ secret: 's' }))).toThrow(new BuiltinError('exp value must be a number'));
  });
});

describe('io.jwt.encode_sign', () => {
  it('reproduces RFC 7515 A.1 as OPA does', () => {
    const out = call('io.jwt.encode_sign_raw', '{"typ":"JWT",\r\n "alg":"HS256"}',
      '{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}', JSON.stringify(OCT));
    expect(out).toBe('eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    const signed = call('io.jwt.encode_sign', obj({ alg: 'HS256', typ: 'JWT' }),
      obj({ aud: ['bob', 'saul'], exp: 1300819380, 'http://example.com/is_root': true, iss: 'joe', privateParams: { private_one: 'one', private_two: 'two' } }),
      obj(OCT));
    expect(signed).toBe('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsiYm9iIiwic2F1bCJdLCJleHAiOjEzMDA4MTkzODAsImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlLCJpc3MiOiJqb2UiLCJwcml2YXRlUGFyYW1zIjp7InByaXZhdGVfb25lIjoib25lIiwicHJpdmF0ZV90d28iOiJ0d28ifX0.-Or2eol8bzly-Ztb0v7_7UkcKBkN_aNNpK33HK0MeOY');
  });
  it('signs tokens that jose verifies', async () => {
    for (const [alg, pair] of [['RS256', rsa], ['PS512', rsa], ['ES256', ec], ['EdDSA', ed]] as const) {
      const jwk = JSON.stringify(pair.privateKey.export({ format: 'jwk' }));
      const tok = call('io.jwt.encode_sign_raw', JSON.stringify({ alg }), '{"a":1}', jwk) as string;
      const { payload } = await compactVerify(tok, await importJWK(pair.publicKey.export({ format: 'jwk' }), alg));
      expect(new TextDecoder().decode(payload)).toBe('{"a":1}');
    }
  });
  it('reports header and payload errors as OPA does', () => {
    const k = JSON.stringify(OCT);
    expect(() => call('io.jwt.encode_sign_raw', '{"alg":"dummy"}', '{}', k)).toThrow('unknown JWS algorithm: dummy');
    expect(() => call('io.jwt.encode_sign_raw', '{}', '{}', k)).toThrow(`missing or invalid 'alg' header: jwsbb: header "alg" not found`);
    expect(() => call('io.jwt.encode_sign_raw', '{"typ:"JWT"}', '{}', k)).toThrow('cannot parse JSON: invalid character');
    expect(() => call('io.jwt.encode_sign_raw', '{"typ":"JWT","alg":"HS256"}', 'e', k)).toThrow('type is JWT but payload is not JSON');
    expect(call('io.jwt.encode_sign_raw', '{"typ":"text/plain","alg":"HS256"}', '', k)).toMatch(/\.\./);
  });
});
