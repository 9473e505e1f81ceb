/**
 * X.509-SVIDs from the internal CA against a real server (SQLite and PostgreSQL): the identity
 * Mandate sets whatever the CSR asks, the X509-SVID profile, the trust bundle in both forms,
 * refusals, operator views, revocation (by an operator and on suspension: feed and CRL) and
 * CA rotation with the old CA kept in the bundle.
 */
import { X509Certificate } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { agentKey, agentToken, csrFor, x509 } from './support.js';

const HOUR = 3_600_000;

describe.each(storeKinds())('X.509-SVIDs (%s)', (kind) => {
  let server: TestServer;
  let agent: RegisteredAgent;
  let other: RegisteredAgent;
  let token: string;

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    agent = await registerAgent(server);
    other = await registerAgent(server);
    token = await agentToken(server, agent);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const issue = (body: unknown, bearer: string | null = token) => server.api('POST', '/v1/svids', body, { token: bearer });

  it('issues the agent its own identity, whatever the CSR asks, with the X509-SVID profile', async () => {
    const key = await agentKey();
    const asked = `spiffe://mandate.local/agent/${other.id}`;
    const { status, body } = await issue({ csr: await csrFor(key, [asked, 'spiffe://evil.example/agent/x']) });
    expect(status).toBe(201);
    expect(body.spiffe_id).toBe(`spiffe://mandate.local/agent/${agent.id}`);
    expect(body.chain).toEqual([]);
    const certificate = new x509.X509Certificate(body.certificate);
    const san = certificate.getExtension(x509.SubjectAlternativeNameExtension)!;
    expect(san.names.items.map((n) => [n.type, n.value])).toEqual([['url', body.spiffe_id]]);
    expect(san.critical).toBe(true);
    expect(certificate.getExtension(x509.BasicConstraintsExtension)!.ca).toBe(false);
    expect(certificate.getExtension(x509.KeyUsagesExtension)!.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    // The key is the agent's: the certificate certifies the CSR's public key.
    const spki = Buffer.from(await webcrypto().subtle.exportKey('spki', key.keys.publicKey as never));
    expect(Buffer.from(certificate.publicKey.rawData).equals(spki)).toBe(true);
    // Default lifetime one hour; chains to the bundle (node:crypto checks the signature).
    expect(Date.parse(body.expires_at) - certificate.notBefore.getTime()).toBeLessThanOrEqual(HOUR + 31_000);
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now() + HOUR - 60_000);
    const bundle = await fetch(`${server.url}/v1/bundle`);
    expect(bundle.headers.get('content-type')).toContain('application/x-pem-file');
    const anchor = new X509Certificate(await bundle.text());
    const leaf = new X509Certificate(body.certificate);
    expect(leaf.checkIssued(anchor)).toBe(true);
    expect(leaf.verify(anchor.publicKey)).toBe(true);
    expect(anchor.ca).toBe(true);
    // The audit entry records what the CSR asked for and was not given.
    const audit = await server.api('GET', `/v1/audit?type=certificate.issued&agent=${agent.id}`);
    expect(JSON.stringify(audit.body)).toContain('requested_identity_ignored');
  });

  it('serves the bundle as a SPIFFE bundle (JWKS form) with Accept: application/json', async () => {
    const response = await fetch(`${server.url}/v1/bundle`, { headers: { accept: 'application/json' } });
    const bundle = (await response.json()) as { keys: Array<Record<string, any>>; spiffe_sequence: number };
    expect(bundle.keys.map((k) => k.use)).toEqual(['x509-svid', 'jwt-svid']);
    expect(bundle.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'x509-svid' });
    const pem = await (await fetch(`${server.url}/v1/bundle`)).text();
    expect(new X509Certificate(Buffer.from(bundle.keys[0]!.x5c[0], 'base64')).fingerprint256).toBe(new X509Certificate(pem).fingerprint256);
    expect(bundle.spiffe_sequence).toBeGreaterThan(0);
  });

  it('issues JWT-SVIDs that verify against the bundle’s jwt-svid keys, for the named audience only', async () => {
    const audience = `spiffe://mandate.local/agent/${other.id}`;
    const { status, body } = await server.api('POST', '/v1/svids/jwt', { audience }, { token });
    expect(status).toBe(201);
    const bundle = (await (await fetch(`${server.url}/v1/bundle`, { headers: { accept: 'application/json' } })).json()) as { keys: Array<Record<string, unknown>> };
    // SPIFFE bundles mark these keys `use: jwt-svid`; jose only takes `sig` (or no use), so the verifier drops it.
    const keys = createLocalJWKSet({ keys: bundle.keys.filter((k) => k.use === 'jwt-svid').map(({ use: _use, ...key }) => key) as never });
    const { payload } = await jwtVerify(body.token, keys, { audience });
    expect(payload.sub).toBe(`spiffe://mandate.local/agent/${agent.id}`);
    expect(payload.exp! - payload.iat!).toBe(300);
    await expect(jwtVerify(body.token, keys, { audience: 'spiffe://mandate.local/agent/someone-else' })).rejects.toThrow(/aud/);
    expect((await server.api('POST', '/v1/svids/jwt', { audience }, { token: server.adminToken })).status).toBe(403);
    expect((await server.api('POST', '/v1/svids/jwt', { audience: [] }, { token })).status).toBe(400);
  });

  it('refuses bad requests with the field named, and callers who are not agents', async () => {
    const key = await agentKey();
    expect((await issue({ csr: 'not a csr' })).body.message).toMatch(/PEM certificate request/);
    const pem = await csrFor(key);
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 5] ^= 0xff;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const refused = await issue({ csr: tampered });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/csr/);
    expect((await issue({ csr: pem, ttl_seconds: 10 })).status).toBe(400);
    expect((await issue({ csr: pem, extra: 1 })).status).toBe(400);
    expect((await issue({ csr: 'x'.repeat(9000) })).status).toBe(400);
    expect((await issue({ csr: pem }, null)).status).toBe(401);
    expect((await issue({ csr: pem }, server.adminToken)).status).toBe(403);
  });

  it('shows certificates to operators, revokes them onto the feed and the CRL', async () => {
    const key = await agentKey();
    const issued = (await issue({ csr: await csrFor(key) })).body;
    const list = await server.api('GET', `/v1/certificates?agent_id=${agent.id}`);
    expect(list.body.items.map((c: { serial: string }) => c.serial)).toContain(issued.serial);
    const shown = await server.api('GET', `/v1/certificates/${issued.serial}`);
    expect(shown.body).toMatchObject({ serial: issued.serial, spiffe_id: issued.spiffe_id, revoked_at: null });
    expect((await server.api('GET', '/v1/certificates/00ff')).status).toBe(404);
    const revoked = await server.api('POST', `/v1/certificates/${issued.serial}/revoke`, { reason: 'key lost' });
    expect(revoked.body).toMatchObject({ revoked: true, certificate: { revoke_reason: 'key lost' } });
    expect((await server.api('POST', `/v1/certificates/${issued.serial}/revoke`, {})).body.revoked).toBe(false);
    const feed = (await server.api('GET', '/v1/svids/revocations?after=0', undefined, { token: null })).body;
    expect(feed.events.map((e: { serial: string }) => e.serial)).toContain(issued.serial);
    const crl = new x509.X509Crl(await (await fetch(`${server.url}/v1/svids/crl`)).text());
    expect(crl.findRevoked(issued.serial)).not.toBeNull();
    const anchor = new x509.X509Certificate(await (await fetch(`${server.url}/v1/bundle`)).text());
    expect(await crl.verify({ publicKey: anchor.publicKey })).toBe(true);
  });

  it('revokes an agent’s live certificates when it is suspended, in the same transaction', async () => {
    const victim = await registerAgent(server);
    const victimToken = await agentToken(server, victim);
    const serials: string[] = [];
    for (let i = 0; i < 2; i += 1) serials.push((await issue({ csr: await csrFor(await agentKey()) }, victimToken)).body.serial);
    const before = (await server.api('GET', '/v1/svids/revocations', undefined, { token: null })).body.cursor as number;
    expect((await server.api('POST', `/v1/agents/${victim.id}/suspend`, { reason: 'incident' })).status).toBe(200);
    const feed = (await server.api('GET', `/v1/svids/revocations?after=${before}`, undefined, { token: null })).body;
    expect(feed.events.map((e: { serial: string }) => e.serial).sort()).toEqual([...serials].sort());
    expect(feed.events.every((e: { agent_id: string }) => e.agent_id === victim.id)).toBe(true);
    const crl = new x509.X509Crl(await (await fetch(`${server.url}/v1/svids/crl`)).text());
    for (const serial of serials) expect(crl.findRevoked(serial)).not.toBeNull();
    // Suspended: no new certificate (its token is refused already; the service refuses too).
    expect((await issue({ csr: await csrFor(await agentKey()) }, victimToken)).status).toBe(401);
  });

  it('rotates the CA: the new one signs, the old one stays in the bundle for its certificates', async () => {
    const oldCert = (await issue({ csr: await csrFor(await agentKey()) })).body;
    const rotated = await server.api('POST', '/v1/ca/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body.items.map((a: { state: string }) => a.state).sort()).toEqual(['active', 'retired']);
    const retired = rotated.body.items.find((a: { state: string }) => a.state === 'retired');
    expect(Date.parse(retired.remove_at)).toBeGreaterThanOrEqual(Date.parse(oldCert.expires_at));
    const newCert = (await issue({ csr: await csrFor(await agentKey()) })).body;
    const anchors = (await (await fetch(`${server.url}/v1/bundle`)).text()).split(/(?<=-----END CERTIFICATE-----)\s*/).filter((p) => p.includes('BEGIN'));
    expect(anchors).toHaveLength(2);
    const issuerOf = (pem: string) => anchors.findIndex((a) => new X509Certificate(pem).checkIssued(new X509Certificate(a)));
    expect(issuerOf(oldCert.certificate)).not.toBe(issuerOf(newCert.certificate));
    expect(issuerOf(newCert.certificate)).toBeGreaterThanOrEqual(0);
    const audit = await server.api('GET', '/v1/audit?type=ca.activated');
    expect(audit.body.items.length).toBeGreaterThanOrEqual(2);
  });
});

function webcrypto() {
  return globalThis.crypto;
}
