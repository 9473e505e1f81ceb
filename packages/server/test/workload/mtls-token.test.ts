/**
 * RFC 8705 against a real server on its optional TLS listener (SQLite and PostgreSQL):
 * tls_client_auth at the token endpoint with the agent's X.509-SVID, certificate-bound tokens
 * (`cnf.x5t#S256`) that the SDK verifier accepts only with that certificate, and Mandate's own
 * /v1 refusing a bound token on a connection without it. Refusals: another agent's
 * certificate, a certificate Mandate did not issue, a revoked one, no certificate at all.
 */
import { createHash, webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import { decodeJwt } from 'jose';
import { createTokenVerifier, TokenVerificationError } from '@mandate/sdk';
import { registerAgent, registerResourceServer, basic, type RegisteredAgent } from '../support/agents.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { agentKey, csrFor, x509, type AgentKey } from './support.js';
import { serverTls } from '../support/tls.js';

const AUDIENCE = 'https://orders.example';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

interface ClientCert {
  key: AgentKey;
  pem: string;
  thumbprint: string;
  serial: string;
}

describe.each(storeKinds())('RFC 8705 on the TLS listener (%s)', (kind) => {
  let server: TestServer;
  let ca: string;
  let agent: RegisteredAgent;
  let other: RegisteredAgent;
  let previous: Dispatcher;

  /** A request over TLS, with a client certificate when given. */
  function tlsCall(method: string, path: string, body: string, headers: Record<string, string>, client?: ClientCert): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
      const request = httpsRequest(`${server.url}${path}`, { method, headers, ca, agent: false, ...(client ? { key: client.key.pem, cert: client.pem } : {}) }, (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: text ? JSON.parse(text) : undefined }));
      });
      request.on('error', reject);
      request.end(body);
    });
  }
  const tokenRequest = (form: Record<string, string>, client?: ClientCert, headers: Record<string, string> = {}) =>
    tlsCall('POST', '/oauth2/token', new URLSearchParams(form).toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers }, client);

  async function svidFor(who: RegisteredAgent): Promise<ClientCert> {
    const token = await tokenRequest({ grant_type: 'client_credentials' }, undefined, { authorization: basic(who.clientId, who.clientSecret) });
    const key = await agentKey();
    const issued = await tlsCall('POST', '/v1/svids', JSON.stringify({ csr: await csrFor(key) }), { authorization: `Bearer ${token.body.access_token}`, 'content-type': 'application/json' });
    expect(issued.status).toBe(201);
    const der = Buffer.from(new x509.X509Certificate(issued.body.certificate).rawData);
    return { key, pem: issued.body.certificate, thumbprint: createHash('sha256').update(der).digest('base64url'), serial: issued.body.serial };
  }

  beforeAll(async () => {
    const tls = await serverTls(mkdtempSync(join(tmpdir(), 'mandate-tls-')));
    ca = tls.caPem;
    // The test's own fetch (admin API, the SDK verifier's JWKS) trusts the test server CA.
    previous = getGlobalDispatcher();
    setGlobalDispatcher(new Agent({ connect: { ca } }));
    const port = await freePort();
    server = await startTestServer({ kind, config: { port, issuer: `https://127.0.0.1:${port}`, tls: { certFile: tls.certFile, keyFile: tls.keyFile } } });
    await registerResourceServer(server, AUDIENCE, ['orders:read']);
    agent = await registerAgent(server, { scopes: ['orders:read'] });
    other = await registerAgent(server, { scopes: ['orders:read'] });
  });
  afterAll(async () => {
    await server?.stop();
    setGlobalDispatcher(previous);
  });

  it('serves HTTPS and advertises tls_client_auth and certificate-bound tokens', async () => {
    expect(server.url).toMatch(/^https:/);
    const metadata = await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json();
    expect(metadata.token_endpoint_auth_methods_supported).toContain('tls_client_auth');
    expect(metadata.tls_client_certificate_bound_access_tokens).toBe(true);
  });

  it('authenticates with the SVID and binds the token to it; the SDK verifier needs that certificate', async () => {
    const cert = await svidFor(agent);
    const { status, body } = await tokenRequest({ grant_type: 'client_credentials', client_id: agent.clientId, resource: AUDIENCE }, cert);
    expect(status).toBe(200);
    expect(body.token_type).toBe('Bearer');
    const claims = decodeJwt(body.access_token);
    expect(claims.cnf).toEqual({ 'x5t#S256': cert.thumbprint });
    expect(claims.sub).toBe(agent.id);

    // Binding is what this test is about; revocation has its own suites.
    const verifier = createTokenVerifier({ issuer: server.url, audience: AUDIENCE, revocation: false });
    try {
      const verified = await verifier.verify(body.access_token, { clientCertificateThumbprint: cert.thumbprint });
      expect(verified.binding).toEqual({ type: 'mtls', x5tS256: cert.thumbprint });
      // Without its certificate (or with another), the bound token is refused.
      for (const options of [{}, { clientCertificateThumbprint: (await svidFor(other)).thumbprint }]) {
        const error = await verifier.verify(body.access_token, options).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(TokenVerificationError);
        expect((error as TokenVerificationError).code).toBe('ERR_TOKEN_BINDING_MISMATCH');
      }
    } finally {
      await verifier.close();
    }
  });

  it('refuses a certificate-bound token on /v1 over a connection without that certificate', async () => {
    const cert = await svidFor(agent);
    const bound = (await tokenRequest({ grant_type: 'client_credentials', client_id: agent.clientId }, cert)).body.access_token as string;
    const body = JSON.stringify({ csr: await csrFor(await agentKey()) });
    const headers = { authorization: `Bearer ${bound}`, 'content-type': 'application/json' };
    expect((await tlsCall('POST', '/v1/svids', body, headers)).status).toBe(401);
    expect((await tlsCall('POST', '/v1/svids', body, headers, await svidFor(agent))).status).toBe(401);
    expect((await tlsCall('POST', '/v1/svids', body, headers, cert)).status).toBe(201);
  });

  it('renews an SVID by the current certificate over mTLS, without a token', async () => {
    const current = await svidFor(agent);
    const body = JSON.stringify({ csr: await csrFor(await agentKey()) });
    const renewed = await tlsCall('POST', '/v1/svids', body, { 'content-type': 'application/json' }, current);
    expect(renewed.status).toBe(201);
    expect(renewed.body.spiffe_id).toBe(`spiffe://mandate.local/agent/${agent.id}`);
    expect(renewed.body.serial).not.toBe(current.serial);
    expect((await tlsCall('POST', '/v1/svids', body, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await server.api('POST', `/v1/certificates/${current.serial}/revoke`, {})).body.revoked).toBe(true);
    const refused = await tlsCall('POST', '/v1/svids', body, { 'content-type': 'application/json' }, current);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/not a live X\.509-SVID/);
  });

  it('refuses another agent’s certificate, a foreign one, a revoked one, and no certificate', async () => {
    const others = await svidFor(other);
    const wrong = await tokenRequest({ grant_type: 'client_credentials', client_id: agent.clientId }, others);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error_description).toMatch(/not a live X\.509-SVID of this client/);

    // Same key, self-signed: not a certificate Mandate issued.
    const key = await agentKey();
    const selfSigned = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '03',
      name: 'CN=forged',
      keys: key.keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `spiffe://mandate.local/agent/${agent.id}` }])],
    });
    const forged = await tokenRequest({ grant_type: 'client_credentials', client_id: agent.clientId }, { key, pem: selfSigned.toString('pem'), thumbprint: '', serial: '' });
    expect(forged.status).toBe(401);

    const revoked = await svidFor(agent);
    expect((await server.api('POST', `/v1/certificates/${revoked.serial}/revoke`, {})).body.revoked).toBe(true);
    expect((await tokenRequest({ grant_type: 'client_credentials', client_id: agent.clientId }, revoked)).status).toBe(401);

    const none = await tokenRequest({ grant_type: 'client_credentials', client_id: agent.clientId });
    expect(none.status).toBe(401);
    expect(none.body.error_description).toMatch(/tls_client_auth/);
  });
});
