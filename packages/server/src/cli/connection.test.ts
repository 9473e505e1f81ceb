import { describe, expect, it } from 'vitest';
import { serverUrl } from './connection.js';

/** Issue 10, item 12: the CLI follows MANDATE_URL, else MANDATE_HOST/MANDATE_PORT, as the README says. */
describe('serverUrl', () => {
  it('takes --url, then MANDATE_URL, without a trailing slash', () => {
    expect(serverUrl({ url: 'http://a.example:1/' }, { MANDATE_URL: 'http://b.example:2', MANDATE_PORT: '3' })).toBe('http://a.example:1');
    expect(serverUrl({}, { MANDATE_URL: 'http://b.example:2/', MANDATE_HOST: 'c', MANDATE_PORT: '3' })).toBe('http://b.example:2');
  });

  it('else the address a local server listens on, MANDATE_HOST and MANDATE_PORT, default 127.0.0.1:8700', () => {
    expect(serverUrl({}, {})).toBe('http://127.0.0.1:8700');
    expect(serverUrl({}, { MANDATE_PORT: '9100' })).toBe('http://127.0.0.1:9100');
    expect(serverUrl({}, { MANDATE_HOST: 'mandate.internal', MANDATE_PORT: '9100' })).toBe('http://mandate.internal:9100');
  });

  it('reaches a server listening on every interface through loopback, and brackets IPv6', () => {
    expect(serverUrl({}, { MANDATE_HOST: '0.0.0.0' })).toBe('http://127.0.0.1:8700');
    expect(serverUrl({}, { MANDATE_HOST: '::' })).toBe('http://[::1]:8700');
    expect(serverUrl({}, { MANDATE_HOST: '::1', MANDATE_PORT: '9' })).toBe('http://[::1]:9');
  });
});
