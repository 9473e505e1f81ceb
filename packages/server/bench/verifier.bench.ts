/**
 * `npm run bench -- verifier [--seconds=2] [--rounds=5] [--concurrency=32]`
 *
 * The SDK token verifier (`createTokenVerifier().verify()`) against raw `jose.jwtVerify` on the
 * same EdDSA access token and the same public key, in the same run. The verifier does what a
 * resource server needs beyond the signature (typ, iss, aud, exp, required claims, delegation
 * chain, revocation lookups against a feed holding 1 000 revoked jtis and 100 revoked agents);
 * the baseline is jose with the same typ/iss/aud checks. Rounds alternate the two so drift
 * hits both; the table shows per-round medians and the ratio.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { createTokenVerifier } from '@mandate/sdk';

function option(args: string[], name: string, fallback: number): number {
  const raw = args.find((arg) => arg.startsWith(`--${name}=`));
  const value = raw ? Number(raw.split('=')[1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Metadata, JWKS and a revocation feed that answers its history once and then holds long-polls. */
async function startIssuer(publicJwk: object): Promise<{ issuer: string; server: Server }> {
  const now = Math.floor(Date.now() / 1000);
  const events = [
    ...Array.from({ length: 1000 }, (_, i) => ({ kind: 'token', jti: `revoked-${i}`, exp: now + 600 })),
    ...Array.from({ length: 100 }, (_, i) => ({ kind: 'agent', agent_id: `agt_revoked_${i}`, client_id: `mcl_revoked_${i}`, not_before: now })),
  ];
  const held = new Set<import('node:http').ServerResponse>();
  let issuer = '';
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const json = (body: unknown): void => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/oauth-authorization-server') {
      return json({ issuer, token_endpoint: `${issuer}/oauth2/token`, jwks_uri: `${issuer}/jwks`, revocation_feed_endpoint: `${issuer}/oauth2/revocations` });
    }
    if (url.pathname === '/jwks') return json({ keys: [publicJwk] });
    if (url.pathname === '/oauth2/revocations') {
      if (!url.searchParams.get('after')) return json({ events, cursor: String(events.length), has_more: false });
      held.add(response);
      response.on('close', () => held.delete(response));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on('close', () => held.forEach((r) => r.destroy()));
  return { issuer, server };
}

async function measure(seconds: number, concurrency: number, verify: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await verify();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - start) / 1000);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export async function run(args: string[]): Promise<void> {
  const seconds = option(args, 'seconds', 2);
  const rounds = option(args, 'rounds', 5);
  const concurrency = option(args, 'concurrency', 32);

  const { privateKey, publicKey } = await generateKeyPair('EdDSA');
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'EdDSA', use: 'sig' };
  const { issuer, server } = await startIssuer(publicJwk);
  const audience = 'https://api.example';
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ client_id: 'mcl_bench', scope: 'orders:read orders:write', act: { sub: 'agt_parent' } })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'bench-1', typ: 'at+jwt' })
    .setIssuer(issuer)
    .setSubject('agt_bench')
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .setJti('bench-jti')
    .sign(privateKey);

  const verifier = createTokenVerifier({
    issuer,
    audience,
    revocation: { credentials: { clientId: 'rs_bench', clientSecret: 'x' }, waitSeconds: 30 },
  });
  await verifier.ready();
  const check = await verifier.verify(token);
  if (check.subject !== 'agt_bench' || check.delegation[0]?.sub !== 'agt_parent') throw new Error('verifier returned unexpected claims');

  const raw = () => jwtVerify(token, publicKey, { issuer, audience, algorithms: ['EdDSA'], typ: 'at+jwt' });
  const sdk = () => verifier.verify(token);

  // Warm-up: JIT both paths before measuring.
  await measure(0.5, concurrency, raw);
  await measure(0.5, concurrency, sdk);

  const results = { raw: [] as number[], sdk: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so neither side always runs on a warmer or cooler machine.
    const order = round % 2 === 0 ? (['raw', 'sdk'] as const) : (['sdk', 'raw'] as const);
    for (const name of order) results[name].push(await measure(seconds, concurrency, name === 'raw' ? raw : sdk));
  }
  await verifier.close();
  server.close();
  server.closeAllConnections();

  const rawMedian = median(results.raw);
  const sdkMedian = median(results.sdk);
  console.log(`EdDSA access token, ${rounds} rounds × ${seconds} s, ${concurrency} verifications in flight, Node ${process.version}`);
  console.log('');
  console.log('| path | median ops/s | rounds (ops/s) |');
  console.log('|---|---:|---|');
  console.log(`| jose.jwtVerify (same token, key, typ/iss/aud) | ${rawMedian.toFixed(0)} | ${results.raw.map((v) => v.toFixed(0)).join(', ')} |`);
  console.log(`| SDK verifier.verify() | ${sdkMedian.toFixed(0)} | ${results.sdk.map((v) => v.toFixed(0)).join(', ')} |`);
  console.log('');
  // Each round's pair ran back to back, so its ratio is the least disturbed by drift.
  const pairRatios = results.sdk.map((value, i) => value / results.raw[i]!);
  console.log(`ratio SDK / raw jose: ${((sdkMedian / rawMedian) * 100).toFixed(1)} % of medians; median of per-round ratios ${(median(pairRatios) * 100).toFixed(1)} % (goal ≥ 80 %)`);
}
