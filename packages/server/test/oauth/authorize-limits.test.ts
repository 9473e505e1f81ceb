/**
 * `/oauth2/authorize` needs no sign-in, and each request could cost an audit entry (every
 * refusal is audited) and an outbound fetch (an https client_id names a metadata document).
 * Requests are limited per source address, and a metadata document that was refused is not
 * fetched again for `authorization.cimdCacheMinSeconds`. Over real HTTP, with a manual clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { startOAuthServer } from '../support/agents.js';
import { startMetadataHost, type MetadataHost } from '../support/people.js';
import type { TestServer } from '../support/server.js';

const PER_MINUTE = 3;

describe('the authorization endpoint\'s limits', () => {
  let server: TestServer;
  let host: MetadataHost;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));

  const auditCount = async () => ((await server.api('GET', '/v1/audit/verify')).body as { count: number }).count;
  const authorize = (clientId: string) => {
    const url = new URL('/oauth2/authorize', server.url);
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('redirect_uri', 'http://127.0.0.1:53682/callback');
    return fetch(url, { redirect: 'manual' });
  };

  beforeAll(async () => {
    server = await startOAuthServer('sqlite', { clock, config: { authorization: { requestsPerMinutePerAddress: PER_MINUTE, cimdCacheMinSeconds: 60 } } });
    host = await startMetadataHost();
  });
  afterAll(async () => {
    await server?.stop();
    await host?.close();
  });

  it('refuses an address over authorization.requestsPerMinutePerAddress with 429 and Retry-After, auditing nothing, until its bucket refills', async () => {
    // A document that names another URL: refused, and each refusal audited.
    const broken = host.serve('/broken.json', { client_id: 'https://elsewhere.example/c.json', redirect_uris: ['http://127.0.0.1:53682/callback'] });
    const before = await auditCount();
    for (let i = 0; i < PER_MINUTE; i += 1) {
      const res = await authorize(broken);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('invalid_client_metadata');
    }
    // The document was fetched once: the refusal is remembered for cimdCacheMinSeconds.
    expect(host.fetches('/broken.json')).toBe(1);
    await server.runtime.audit.flush();
    expect(await auditCount()).toBe(before + PER_MINUTE);

    const limited = await authorize(broken);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.text()).toContain('authorization.requestsPerMinutePerAddress');
    await server.runtime.audit.flush();
    expect(await auditCount()).toBe(before + PER_MINUTE);

    // One request a minute / PER_MINUTE later; the refusal, a minute old, is fetched again.
    clock.advance(60_000);
    expect((await authorize(broken)).status).toBe(400);
    expect(host.fetches('/broken.json')).toBe(2);
  });
});
