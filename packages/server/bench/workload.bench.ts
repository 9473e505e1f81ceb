/**
 * `npm run bench -- workload [--seconds=2] [--rounds=3] [--concurrency=20]`
 *
 * Workload identity, each figure beside its baseline in the same run:
 * - certificates issued per second: Mandate's signer (CSR checked: parse, proof of possession,
 *   key type; X509-SVID profile signed by the CA) beside @peculiar/x509 alone signing a leaf
 *   with the same key and CA (the peer: ASN.1 work in JS dominates both);
 * - mTLS full handshakes per second (both sides present X.509-SVIDs from Mandate's CA, client
 *   certificate verified) beside plain TLS full handshakes (server certificate only) on the same
 *   server key, same concurrency, no session resumption, one client secure context reused.
 * Rounds alternate the pairs so drift hits both; the tables show per-round medians and ratios.
 * Printed, not written: docs/benchmarks.md "Workload identity" records a run by hand.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { createServer, connect, createSecureContext, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';
import { mintAuthority, newSerial, openAuthority } from '../src/workload/ca/authority.js';
import { checkCsr } from '../src/workload/csr.js';
import { signSvid } from '../src/workload/signer.js';
import { Envelope } from '../src/crypto/index.js';
import { numericOption } from './support/options.js';
import { median } from './support/stats.js';

x509.cryptoProvider.set(webcrypto as never);
const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

async function rate(seconds: number, concurrency: number, work: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await work();
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as never), 'PRIVATE KEY');
}

export async function run(args: string[]): Promise<void> {
  const seconds = numericOption(args, 'seconds', 2);
  const rounds = numericOption(args, 'rounds', 3);
  const concurrency = numericOption(args, 'concurrency', 20);
  const now = Date.now();
  const envelope = new Envelope(Buffer.alloc(32, 7));
  const authority = await openAuthority(await mintAuthority({ trustDomain: 'mandate.local', ttlSeconds: 86_400, now, upstream: null }, envelope), envelope);
  const agentKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const csr = (await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=agent', keys: agentKeys, signingAlgorithm: SIGN })).toString('pem');
  const svid = (spiffeId: string) => async () => {
    const checked = await checkCsr(csr, 8192);
    return signSvid(authority, { publicKey: checked.publicKey, spiffeId, commonName: 'agent', serial: newSerial(), notBefore: now - 30_000, notAfter: now + 3_600_000 });
  };
  const peer = () =>
    x509.X509CertificateGenerator.create({
      subject: 'CN=agent',
      issuer: authority.certificate.subject,
      notBefore: new Date(now),
      notAfter: new Date(now + 3_600_000),
      publicKey: agentKeys.publicKey,
      signingKey: authority.key,
      signingAlgorithm: SIGN,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: 'spiffe://mandate.local/agent/x' }], true)],
    });

  // One core does the ASN.1: a concurrency of 1 is the honest per-core rate.
  const issued: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < rounds; round++) {
    issued.push(await rate(seconds, 1, svid('spiffe://mandate.local/agent/x')));
    baseline.push(await rate(seconds, 1, peer));
  }
  console.log('| certificates issued per second (one core) | median | rounds |');
  console.log('|---|---:|---|');
  console.log(`| Mandate signer (CSR checked + X509-SVID) | ${median(issued).toFixed(0)} | ${issued.map((r) => r.toFixed(0)).join(', ')} |`);
  console.log(`| @peculiar/x509 leaf alone (peer) | ${median(baseline).toFixed(0)} | ${baseline.map((r) => r.toFixed(0)).join(', ')} |`);
  console.log(`| ratio Mandate / peer | ${(median(issued) / median(baseline)).toFixed(2)} | |\n`);

  // Handshakes: both sides hold SVIDs from the CA; the plain TLS server asks for no client certificate.
  const serverKey = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const serverCsr = (await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=server', keys: serverKey, signingAlgorithm: SIGN })).toString('pem');
  const serverCert = await signSvid(authority, { publicKey: (await checkCsr(serverCsr, 8192)).publicKey, spiffeId: 'spiffe://mandate.local/agent/server', commonName: 'server', serial: newSerial(), notBefore: now - 30_000, notAfter: now + 3_600_000 });
  const clientCert = (await svid('spiffe://mandate.local/agent/client')()).pem;
  const ca = authority.pem;
  const serverOptions = { key: await keyPem(serverKey), cert: serverCert.pem, ca, minVersion: 'TLSv1.3' as const };
  const listen = async (server: Server) => {
    server.on('secureConnection', (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  const mtlsServer = createServer({ ...serverOptions, requestCert: true, rejectUnauthorized: true });
  const plainServer = createServer({ ...serverOptions, requestCert: false });
  const mtlsPort = await listen(mtlsServer);
  const plainPort = await listen(plainServer);
  const mtlsContext = createSecureContext({ key: await keyPem(agentKeys), cert: clientCert, ca });
  const plainContext = createSecureContext({ ca });
  const handshake = (port: number, secureContext: ReturnType<typeof createSecureContext>) => () =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, secureContext, checkServerIdentity: () => undefined }, () => {
        socket.destroy();
        resolve();
      });
      socket.on('error', reject);
    });
  const mtls: number[] = [];
  const plain: number[] = [];
  for (let round = 0; round < rounds; round++) {
    mtls.push(await rate(seconds, concurrency, handshake(mtlsPort, mtlsContext)));
    plain.push(await rate(seconds, concurrency, handshake(plainPort, plainContext)));
  }
  await Promise.all([mtlsServer, plainServer].map((s) => new Promise((resolve) => s.close(resolve))));
  console.log(`| full TLS 1.3 handshakes per second (concurrency ${concurrency}, client and server in one process) | median | rounds |`);
  console.log('|---|---:|---|');
  console.log(`| mTLS: both sides X.509-SVIDs, client certificate verified | ${median(mtls).toFixed(0)} | ${mtls.map((r) => r.toFixed(0)).join(', ')} |`);
  console.log(`| plain TLS: server certificate only (baseline) | ${median(plain).toFixed(0)} | ${plain.map((r) => r.toFixed(0)).join(', ')} |`);
  console.log(`| ratio mTLS / plain | ${(median(mtls) / median(plain)).toFixed(2)} | |`);
}
