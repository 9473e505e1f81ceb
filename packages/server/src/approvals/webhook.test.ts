import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignatureHeader } from './webhook.js';

const secret = 'whsec-0123456789abcdef';

describe('webhook signature', () => {
  it('is HMAC-SHA256 over "<t>.<body>" in hex', () => {
    const body = '{"type":"approval.requested"}';
    const mac = createHmac('sha256', secret).update(`1767225600.${body}`).digest('hex');
    expect(signatureHeader(secret, 1_767_225_600, body)).toBe(`t=1767225600,v1=${mac}`);
  });

  it('verifies within the tolerance and refuses tampering, other secrets and stale timestamps', () => {
    const body = '{"a":1}';
    const header = signatureHeader(secret, 1000, body);
    expect(verifySignatureHeader(secret, header, body, 1000)).toBe(true);
    expect(verifySignatureHeader(secret, header, body, 1299)).toBe(true);
    expect(verifySignatureHeader(secret, header, body, 1301)).toBe(false);
    expect(verifySignatureHeader(secret, header, '{"a":2}', 1000)).toBe(false);
    expect(verifySignatureHeader('another-secret-0000', header, body, 1000)).toBe(false);
    expect(verifySignatureHeader(secret, header.replace('t=1000', 't=1001'), body, 1000)).toBe(false);
    expect(verifySignatureHeader(secret, 'garbage', body, 1000)).toBe(false);
  });
});
