import { describe, expect, it } from 'vitest';
import { cookieFromHeader, csrfTokenOf, secureCookies } from './cookie.js';
import { csrfRefusal } from './csrf.js';
import { DEFAULT_RETURN_TO, safeReturnTo } from './return-to.js';

describe('session cookie, CSRF and return_to guards', () => {
  it('marks cookies Secure except for an http issuer on a loopback host', () => {
    expect(secureCookies('http://127.0.0.1:8700')).toBe(false);
    expect(secureCookies('http://localhost:8700')).toBe(false);
    expect(secureCookies('http://[::1]:8700')).toBe(false);
    expect(secureCookies('https://127.0.0.1:8700')).toBe(true);
    expect(secureCookies('http://mandate.internal')).toBe(true);
    expect(secureCookies('https://mandate.example.com')).toBe(true);
  });

  it('follows only local paths', () => {
    expect(safeReturnTo('/console/agents?x=1#y', 2048)).toBe('/console/agents?x=1#y');
    for (const bad of ['', 'console', 'https://evil.example', '//evil.example', '/\\evil.example', '/a\\b', '/a\nb', '\t/x', undefined, 42, `/${'x'.repeat(100)}`]) {
      expect(safeReturnTo(bad, 64), String(bad)).toBe(DEFAULT_RETURN_TO);
    }
  });

  it('checks the CSRF header in constant time and Origin only on unsafe methods', () => {
    const token = csrfTokenOf('mss_abc');
    const origin = 'https://mandate.example.com';
    expect(csrfRefusal({ method: 'GET', headers: { origin: 'https://evil.example' } }, token, origin)).toBeNull();
    expect(csrfRefusal({ method: 'POST', headers: {} }, token, origin)).toMatch(/missing x-csrf-token/);
    expect(csrfRefusal({ method: 'DELETE', headers: { 'x-csrf-token': 'nope' } }, token, origin)).toMatch(/does not match/);
    expect(csrfRefusal({ method: 'PATCH', headers: { 'x-csrf-token': token, origin: 'https://evil.example' } }, token, origin)).toMatch(/another origin/);
    expect(csrfRefusal({ method: 'PUT', headers: { 'x-csrf-token': token, origin } }, token, origin)).toBeNull();
    expect(csrfTokenOf('mss_abd')).not.toBe(token);
  });

  it('reads one cookie from a Cookie header', () => {
    expect(cookieFromHeader('a=1; mandate_session=mss_x; b=2', 'mandate_session')).toBe('mss_x');
    expect(cookieFromHeader('xmandate_session=mss_x', 'mandate_session')).toBeNull();
    expect(cookieFromHeader(undefined, 'mandate_session')).toBeNull();
  });
});
