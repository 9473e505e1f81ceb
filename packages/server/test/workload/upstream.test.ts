/**
 * The CA as an intermediate of an operator's upstream CA (SQLite and PostgreSQL): the
 * bundle holds the upstream root, SVIDs come with the intermediate as their chain, the CA
 * key is sealed at rest, and a bad upstream configuration stops the start naming the key.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate, webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAgent, startOAuthServer } from '../support/agents.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { agentKey, agentToken, csrFor, x509 } from './support.js';
import { workloadTables } from '../../src/workload/tables.js';

async function upstreamRoot(dir: string): Promise<{ certFile: string; keyFile: string; pem: string }> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Operator Root',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 30 * 86_400_000),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as never));
  const certFile = join(dir, 'root.pem');
  const keyFile = join(dir, 'root.key');
  writeFileSync(certFile, root.toString('pem'));
  writeFileSync(keyFile, x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
  return { certFile, keyFile, pem: root.toString('pem') };
}

describe.each(storeKinds())('CA under an upstream CA (%s)', (kind) => {
  let server: TestServer;
  let root: { certFile: string; keyFile: string; pem: string };
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mandate-upstream-'));
    root = await upstreamRoot(dir);
    server = await startOAuthServer(kind, { config: { workload: { trustDomain: 'corp.example', upstreamCaCertFile: root.certFile, upstreamCaKeyFile: root.keyFile } } });
  });
  afterAll(async () => server?.stop());

  it('issues SVIDs that chain through the intermediate to the upstream root', async () => {
    const agent = await registerAgent(server);
    const { status, body } = await server.api('POST', '/v1/svids', { csr: await csrFor(await agentKey()) }, { token: await agentToken(server, agent) });
    expect(status).toBe(201);
    expect(body.spiffe_id).toBe(`spiffe://corp.example/agent/${agent.id}`);
    expect(body.chain).toHaveLength(1);
    const bundle = await (await fetch(`${server.url}/v1/bundle`)).text();
    const anchor = new X509Certificate(bundle);
    expect(anchor.fingerprint256).toBe(new X509Certificate(root.pem).fingerprint256);
    const intermediate = new X509Certificate(body.chain[0]);
    expect(intermediate.verify(anchor.publicKey)).toBe(true);
    expect(intermediate.ca).toBe(true);
    expect(new X509Certificate(body.certificate).verify(intermediate.publicKey)).toBe(true);
  });

  it('keeps the CA key sealed with the master key', async () => {
    const rows = await workloadTables(server.runtime.store.db).selectFrom('workload_authorities').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.sealed_key).toMatch(/^v1\./);
      expect(row.sealed_key).not.toContain('PRIVATE KEY');
      expect(() => server.runtime.envelope.decrypt(row.sealed_key, 'workload-ca:other')).toThrow();
    }
  });
});

describe('upstream CA configuration', () => {
  it('refuses to start with only one of the two files, or a key that is not the certificate’s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mandate-upstream-bad-'));
    const one = await upstreamRoot(dir);
    await expect(startTestServer({ config: { workload: { upstreamCaCertFile: one.certFile } } })).rejects.toThrow(/workload\.upstreamCaKeyFile/);
    const otherDir = mkdtempSync(join(tmpdir(), 'mandate-upstream-other-'));
    const other = await upstreamRoot(otherDir);
    await expect(startTestServer({ config: { workload: { upstreamCaCertFile: one.certFile, upstreamCaKeyFile: other.keyFile } } })).rejects.toThrow(/does not belong/);
  });
});
