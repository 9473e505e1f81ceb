import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryable, withRetry } from './retry.js';
import { formatChallenge, parseWwwAuthenticate } from './www-authenticate.js';
import { NetworkError } from './errors.js';
import { InvalidClientError, InvalidScopeError, OAuthError, oauthErrorFrom, ServerError, TemporarilyUnavailableError } from '../oauth/errors.js';
import { metadataUrl } from '../oauth/metadata.js';
import { basicAuthorization } from './http.js';

describe('backoff', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1_000 };
  it('doubles the ceiling per attempt up to the cap, with full jitter below it', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 0.999999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
  });

  it('retries only retryable errors, and only maxAttempts times', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const deps = { sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5 };
    await expect(
      withRetry({ ...policy, maxAttempts: 3 }, deps, async () => {
        calls++;
        throw new NetworkError('http://x', new Error('reset'));
      }),
    ).rejects.toBeInstanceOf(NetworkError);
    expect(calls).toBe(3);
    expect(sleeps).toEqual([50, 100]);
    calls = 0;
    await expect(
      withRetry(policy, deps, async () => {
        calls++;
        throw new InvalidClientError('invalid_client', 401);
      }),
    ).rejects.toBeInstanceOf(InvalidClientError);
    expect(calls).toBe(1);
  });

  it('classifies errors', () => {
    expect(isRetryable(new ServerError('server_error', 500))).toBe(true);
    expect(isRetryable(new InvalidScopeError('invalid_scope', 400))).toBe(false);
    expect(isRetryable({ status: 502 })).toBe(true);
    expect(isRetryable(new Error('x'))).toBe(false);
  });
});

describe('oauthErrorFrom', () => {
  it('maps each error code to its class with code, description and status', () => {
    const error = oauthErrorFrom(400, { error: 'invalid_scope', error_description: 'nope' });
    expect(error).toBeInstanceOf(InvalidScopeError);
    expect(error).toMatchObject({ code: 'invalid_scope', description: 'nope', status: 400 });
    expect(oauthErrorFrom(401, { error: 'invalid_client' })).toBeInstanceOf(InvalidClientError);
    expect(oauthErrorFrom(400, { error: 'temporarily_unavailable' })).toBeInstanceOf(TemporarilyUnavailableError);
    expect(oauthErrorFrom(400, { error: 'temporarily_unavailable' }).retryable).toBe(true);
  });

  it('keeps unknown codes and bodies without an error member', () => {
    const unknown = oauthErrorFrom(400, { error: 'weird_thing' });
    expect(unknown.constructor).toBe(OAuthError);
    expect(unknown.code).toBe('weird_thing');
    expect(oauthErrorFrom(502, '<html>')).toMatchObject({ code: 'server_error', status: 502, retryable: true });
    expect(oauthErrorFrom(404, undefined)).toMatchObject({ code: 'invalid_request', retryable: false });
  });
});

describe('WWW-Authenticate', () => {
  it('parses several challenges with quoted and bare parameters', () => {
    expect(parseWwwAuthenticate('Bearer realm="api", error="invalid_token", error_description="a \\"b\\"", DPoP algs="ES256 EdDSA", error=use_dpop_nonce')).toEqual([
      { scheme: 'Bearer', params: { realm: 'api', error: 'invalid_token', error_description: 'a "b"' } },
      { scheme: 'DPoP', params: { algs: 'ES256 EdDSA', error: 'use_dpop_nonce' } },
    ]);
    expect(parseWwwAuthenticate('Bearer')).toEqual([{ scheme: 'Bearer', params: {} }]);
    expect(parseWwwAuthenticate(null)).toEqual([]);
  });

  it('formats what it parses', () => {
    const header = formatChallenge('Bearer', { error: 'invalid_token', error_description: 'say "hi"', scope: undefined });
    expect(header).toBe('Bearer error="invalid_token", error_description="say \\"hi\\""');
    expect(parseWwwAuthenticate(header)[0]!.params.error_description).toBe('say "hi"');
  });
});

describe('helpers', () => {
  it('puts the well-known segment between host and path (RFC 8414 §3)', () => {
    expect(metadataUrl('http://127.0.0.1:8700')).toBe('http://127.0.0.1:8700/.well-known/oauth-authorization-server');
    expect(metadataUrl('https://a.example/tenant/')).toBe('https://a.example/.well-known/oauth-authorization-server/tenant');
  });

  it('form-urlencodes Basic credentials (RFC 6749 §2.3.1)', () => {
    expect(basicAuthorization('a:b', 'c d%')).toBe(`Basic ${btoa('a%3Ab:c+d%25')}`);
  });
});
