import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RObject, toJSON, type Value } from '../value.js';
import { callBuiltin, testContext } from './testing.js';
import './crypto.js';

// Certificates and keys from OPA's conformance cases (packages/rego/conformance/opa-cases.jsonl).
const fx = JSON.parse(readFileSync(new URL('./crypto.fixtures.json', import.meta.url), 'utf8'));

const ctx = (nowMs: number) => testContext({ nowNs: BigInt(nowMs) * 1_000_000n });
const call = (name: string, ...args: Value[]): Value => callBuiltin(name, args, ctx(Date.UTC(2025, 0, 1))) as Value;

const json = (v: Value) => JSON.parse(toJSON(v));

describe('digests and MACs', () => {
  it('hash UTF-8 text to hex', () => {
    expect(call('crypto.md5', 'lorem ipsum')).toBe('80a751fde577028640c419000e33eba6');
    expect(call('crypto.sha256', 'lorem ipsum')).toBe('5e2bf57d3f40c4b6df69daf1936cb766f832374b4fc0259a7cbff06e2f70f269');
    expect(call('crypto.hmac.md5', 'åäöçß🥲♙Ω', '秘密の')).toBe('20a8743c2157ac60b7e8b79c83651b8d');
  });
  it('compares MACs in constant time, unequal lengths being unequal', () => {
    expect(call('crypto.hmac.equal', 'abc', 'abc')).toBe(true);
    expect(call('crypto.hmac.equal', 'abc', 'abd')).toBe(false);
    expect(call('crypto.hmac.equal', 'abc', 'ab')).toBe(false);
  });
});

describe('X.509', () => {
  it('parses certificates in OPA shape', () => {
    const certs = json(call('crypto.x509.parse_certificates', fx.chain));
    expect(certs.map((c: { Subject: { CommonName: string } }) => c.Subject.CommonName))
      .toEqual(['OPA Test Root CA', 'OPA Test Intermediate CA', 'notarealsite.opa.localhost']);
    expect(certs[2].DNSNames).toEqual(['notarealsite.opa.localhost']);
    expect(certs[2].URIStrings).toBeNull();
    expect(certs[0].IsCA).toBe(true);
    expect(certs[0].Subject.Names).toEqual([{ Type: [2, 5, 4, 10], Value: 'OPA Test' }, { Type: [2, 5, 4, 3], Value: 'OPA Test Root CA' }]);
    const again = json(call('crypto.x509.parse_certificates', Buffer.from(fx.chain).toString('base64')));
    expect(again.length).toBe(3);
  });
  it('reports bad input as OPA does', () => {
    expect(() => call('crypto.x509.parse_certificates', 'YmFkc3RyaW5n')).toThrow('x509: malformed certificate');
    expect(() => call('crypto.x509.parse_certificates', 'foobar')).toThrow('illegal base64 data at input byte');
  });
  it('verifies a chain from root to leaf at the evaluation time', () => {
    const [ok, chain] = call('crypto.x509.parse_and_verify_certificates', fx.chain) as [boolean, Value];
    expect(ok).toBe(true);
    expect(json(chain).map((c: { Subject: { CommonName: string } }) => c.Subject.CommonName))
      .toEqual(['notarealsite.opa.localhost', 'OPA Test Intermediate CA', 'OPA Test Root CA']);
    const late = callBuiltin('crypto.x509.parse_and_verify_certificates', [fx.chain], ctx(Date.UTC(2040, 0, 1)));
    expect(json(late as Value)).toEqual([false, []]);
    const onlyLeaf = fx.chain.slice(fx.chain.lastIndexOf('-----BEGIN'));
    expect(json(call('crypto.x509.parse_and_verify_certificates', onlyLeaf))).toEqual([false, []]);
  });
  it('parses CSRs, PEM or base64 DER', () => {
    expect((call('crypto.x509.parse_certificate_request', fx.csr) as RObject).get('Subject')).toBeInstanceOf(RObject);
    const der = fx.csr.replace(/-----[A-Z ]+-----|\n/g, '');
    expect(json(call('crypto.x509.parse_certificate_request', der)).Subject.CommonName).toBe('example.com');
  });
  it('parses RSA private keys to JWK and key pairs', () => {
    expect(json(call('crypto.x509.parse_rsa_private_key', fx.rsa))).toEqual(fx.rsa_want);
    expect(() => call('crypto.x509.parse_rsa_private_key', 'invalid')).toThrow('illegal base64');
    expect(json(call('crypto.parse_private_keys', fx.rsa)).length).toBe(1);
    expect(call('crypto.parse_private_keys', '')).toBeNull();
    expect(call('crypto.parse_private_keys', 'nope')).toEqual([]);
    const pair = json(call('crypto.x509.parse_keypair', fx.keypair.cert, fx.keypair.key));
    expect(pair.Certificate[0]).toBe(fx.keypair_want);
  });
});
