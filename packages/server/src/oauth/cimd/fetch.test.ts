import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress } from './addresses.js';
import { CimdBusyError, CimdDocuments, freshnessSeconds, parseClientMetadata } from './documents.js';
import { fetchMetadataDocument, type SafeFetchOptions } from './fetch.js';

/** A lookup that resolves every name to `address` (what a hostile DNS answer would do). */
const resolvesTo = (address: string) =>
  ((_host: string, _options: unknown, callback: (error: Error | null, addresses: Array<{ address: string; family: number }>) => void) =>
    callback(null, [{ address, family: address.includes(':') ? 6 : 4 }])) as unknown as SafeFetchOptions['lookup'];

const limits = { maxBytes: 512, timeoutMs: 500, allowLoopback: true };

describe('metadata document fetch guards (real HTTP on loopback)', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/redirect') return void response.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      if (request.url === '/big') return void response.writeHead(200).end('x'.repeat(2048));
      if (request.url === '/slow') return; // never answers
      response.writeHead(200, { 'cache-control': 'max-age=120' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fetches from loopback only in development, and http only there', async () => {
    expect((await fetchMetadataDocument(new URL(`${base}/ok`), limits)).body).toBe('{"ok":true}');
    await expect(fetchMetadataDocument(new URL(`${base}/ok`), { ...limits, allowLoopback: false })).rejects.toThrow(/must use https/);
  });

  it('refuses a name that resolves to a private or link-local address, at connect time', async () => {
    const url = new URL(`https://client.example/oauth/client.json`);
    for (const address of ['10.1.2.3', '192.168.0.9', '169.254.169.254', '::ffff:10.0.0.1', 'fd12::1', '127.0.0.1']) {
      await expect(fetchMetadataDocument(url, { ...limits, allowLoopback: false, lookup: resolvesTo(address) })).rejects.toThrow(/non-public address/);
    }
  });

  it('does not follow redirects, stops at the size limit and at the time limit', async () => {
    await expect(fetchMetadataDocument(new URL(`${base}/redirect`), limits)).rejects.toThrow(/redirect/);
    await expect(fetchMetadataDocument(new URL(`${base}/big`), limits)).rejects.toThrow(/larger than 512 bytes/);
    await expect(fetchMetadataDocument(new URL(`${base}/slow`), { ...limits, timeoutMs: 100 })).rejects.toThrow(/longer than 100 ms/);
  });

  it('classifies addresses', () => {
    expect(isPublicAddress('93.184.216.34', false)).toBe(true);
    expect(isPublicAddress('2606:4700::1111', false)).toBe(true);
    for (const address of ['0.0.0.0', '100.64.1.1', '172.16.5.5', '::1', 'fe80::1', '224.0.0.1']) expect(isPublicAddress(address, false)).toBe(false);
    expect(isPublicAddress('127.0.0.1', true)).toBe(true);
    expect(isPublicAddress('10.0.0.1', true)).toBe(false);
  });
});

describe('metadata documents', () => {
  const url = 'https://app.example/oauth/client.json';
  const valid = { client_id: url, client_name: 'App', redirect_uris: ['https://app.example/cb'] };

  it('must name itself and list redirect URIs; no secrets', () => {
    expect(parseClientMetadata(url, JSON.stringify(valid)).client_name).toBe('App');
    expect(() => parseClientMetadata(url, JSON.stringify({ ...valid, client_id: 'https://other.example/c.json' }))).toThrow(/differs from its URL/);
    expect(() => parseClientMetadata(url, JSON.stringify({ ...valid, redirect_uris: [] }))).toThrow(/redirect_uris/);
    expect(() => parseClientMetadata(url, JSON.stringify({ ...valid, token_endpoint_auth_method: 'client_secret_basic' }))).toThrow(/not supported/);
    expect(() => parseClientMetadata(url, '[1]')).toThrow(/not a JSON object/);
  });

  it('reads freshness from Cache-Control', () => {
    expect(freshnessSeconds({ 'cache-control': 'public, max-age=300' })).toBe(300);
    expect(freshnessSeconds({ 'cache-control': 'no-store' })).toBe(0);
    expect(freshnessSeconds({})).toBe(0);
  });

  it('caches within the configured bounds, and refusals for the lower bound', async () => {
    let now = 0;
    let fetches = 0;
    let body = JSON.stringify(valid);
    const documents = new CimdDocuments({
      clock: { now: () => now },
      maxBytes: 5120,
      timeoutMs: 1000,
      allowLoopback: false,
      maxEntries: 2,
      minCacheSeconds: 60,
      maxCacheSeconds: 600,
      maxConcurrentFetches: 4,
      fetch: async () => {
        fetches += 1;
        return { status: 200, body, headers: { 'cache-control': 'max-age=86400' } };
      },
    });
    await documents.get(url);
    await documents.get(url);
    expect(fetches).toBe(1);
    now = 601_000; // past the 600 s ceiling, although the document said a day
    await documents.get(url);
    expect(fetches).toBe(2);
    // A refusal is remembered for minCacheSeconds: asking again does not fetch again...
    body = JSON.stringify({ ...valid, client_id: 'https://x.example/y' });
    await expect(documents.get('https://x.example/z')).rejects.toThrow(/differs from its URL/);
    await expect(documents.get('https://x.example/z')).rejects.toThrow(/differs from its URL/);
    expect(fetches).toBe(3);
    // ...and then it is tried again.
    now += 60_000;
    await expect(documents.get('https://x.example/z')).rejects.toThrow(/differs from its URL/);
    expect(fetches).toBe(4);
  });

  it('runs at most maxConcurrentFetches fetches at once; a request for a URL being fetched joins it', async () => {
    const release: Array<() => void> = [];
    let fetches = 0;
    const documents = new CimdDocuments({
      clock: { now: () => 0 },
      maxBytes: 5120,
      timeoutMs: 1000,
      allowLoopback: false,
      maxEntries: 10,
      minCacheSeconds: 60,
      maxCacheSeconds: 600,
      maxConcurrentFetches: 2,
      fetch: async (target) => {
        fetches += 1;
        await new Promise<void>((resolve) => release.push(resolve));
        return { status: 200, body: JSON.stringify({ ...valid, client_id: target.href }), headers: {} };
      },
    });
    const first = documents.get('https://a.example/c.json');
    const second = documents.get('https://b.example/c.json');
    const joined = documents.get('https://a.example/c.json');
    await expect(documents.get('https://c.example/c.json')).rejects.toBeInstanceOf(CimdBusyError);
    expect(fetches).toBe(2);
    for (const go of release) go();
    expect((await first).client_id).toBe('https://a.example/c.json');
    expect((await joined).client_id).toBe('https://a.example/c.json');
    expect((await second).client_id).toBe('https://b.example/c.json');
    // With the fetches done, a third URL is fetched.
    const third = documents.get('https://c.example/c.json');
    await new Promise((resolve) => setImmediate(resolve));
    release.at(-1)!();
    expect((await third).client_id).toBe('https://c.example/c.json');
  });
});
