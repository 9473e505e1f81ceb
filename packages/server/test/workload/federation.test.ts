/**
 * Workload identity federation against a real server (SQLite and PostgreSQL) and a loopback
 * issuer that serves OIDC discovery and a JWKS and mints Kubernetes-shaped service-account
 * tokens: the mapped agent gets an access token with no secret at all; a wrong audience, an
 * expired token, an unmapped service account and a token from an untrusted issuer are
 * refused. The CLI adds, lists and removes the issuer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { registerAgent, startOAuthServer, postForm, type RegisteredAgent } from '../support/agents.js';
import { runMandate } from '../support/cli.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A Kubernetes-like token issuer on loopback: discovery, JWKS, and projected service-account tokens. */
async function kubernetesIssuer(): Promise<{ url: string; server: Server; mint(claims: { namespace: string; sa: string; aud: string; expiresIn?: number; iat?: number }): Promise<string> }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k8s-1', alg: 'ES256', use: 'sig' };
  let url = '';
  const server = createServer((request, response) => {
    const json = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.url === '/.well-known/openid-configuration') return json({ issuer: url, jwks_uri: `${url}/openid/v1/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['ES256'] });
    if (request.url === '/openid/v1/jwks') return json({ keys: [jwk] });
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mint = async ({ namespace, sa, aud, expiresIn = 3600, iat = Math.floor(Date.now() / 1000) }: { namespace: string; sa: string; aud: string; expiresIn?: number; iat?: number }) =>
    new SignJWT({
      'kubernetes.io': { namespace, serviceaccount: { name: sa, uid: 'e5c6…' }, pod: { name: `${sa}-7d9f`, uid: 'a1b2…' } },
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'k8s-1' })
      .setIssuer(url)
      .setSubject(`system:serviceaccount:${namespace}:${sa}`)
      .setAudience(aud)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + expiresIn)
      .sign(privateKey as CryptoKey);
  return { url, server, mint };
}

describe.each(storeKinds())('workload identity federation (%s)', (kind) => {
  let mandate: TestServer;
  let cluster: Awaited<ReturnType<typeof kubernetesIssuer>>;
  let untrusted: Awaited<ReturnType<typeof kubernetesIssuer>>;
  let billing: RegisteredAgent;
  let issuerId: string;

  beforeAll(async () => {
    mandate = await startOAuthServer(kind);
    cluster = await kubernetesIssuer();
    untrusted = await kubernetesIssuer();
    billing = await registerAgent(mandate);
    const global = ['--url', mandate.url, '--token', mandate.adminToken];
    const added = await runMandate([...global, '--json', 'workload-issuer', 'add', '--issuer', cluster.url, '--rule', `agent=${billing.id},namespace=prod,service_account=billing`]);
    expect(added.code).toBe(0);
    issuerId = (JSON.parse(added.stdout) as { id: string }).id;
  });
  afterAll(async () => {
    await mandate?.stop();
    for (const issuer of [cluster, untrusted]) await new Promise((resolve) => issuer?.server.close(resolve));
  });

  const exchange = (assertion: string) => postForm(mandate, '/oauth2/token', { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion });

  it('gives the mapped agent a token for its service-account token, with no secret', async () => {
    const { status, body } = await exchange(await cluster.mint({ namespace: 'prod', sa: 'billing', aud: mandate.config.issuer }));
    expect(status).toBe(200);
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString());
    expect(claims.sub).toBe(billing.id);
    expect(claims.client_id).toBe(billing.clientId);
    const list = await runMandate(['--url', mandate.url, '--token', mandate.adminToken, 'workload-issuer', 'list']);
    expect(list.stdout).toContain(`agent_id=${billing.id},namespace=prod,service_account=billing`);
  });

  it('refuses a wrong audience, an expired token, an unmapped service account and an untrusted issuer', async () => {
    const refusals: Array<[string, string, RegExp]> = [
      ['wrong audience', await cluster.mint({ namespace: 'prod', sa: 'billing', aud: 'https://somewhere-else.example' }), /aud/],
      ['expired', await cluster.mint({ namespace: 'prod', sa: 'billing', aud: mandate.config.issuer, iat: Math.floor(Date.now() / 1000) - 7200, expiresIn: 3600 }), /exp/],
      ['unmapped service account', await cluster.mint({ namespace: 'prod', sa: 'reports', aud: mandate.config.issuer }), /no mapping rule/],
      ['untrusted issuer', await untrusted.mint({ namespace: 'prod', sa: 'billing', aud: mandate.config.issuer }), /unknown client|does not verify/],
    ];
    for (const [what, assertion, reason] of refusals) {
      const { status, body } = await exchange(assertion);
      expect({ what, status, error: body.error }).toEqual({ what, status: 401, error: 'invalid_client' });
      expect(body.error_description).toMatch(reason);
    }
  });

  it('refuses bad issuer configurations, and stops trusting a removed issuer', async () => {
    const bad = await mandate.api('POST', '/v1/workload-issuers', { issuer: 'http://cluster.example', rules: [{ agent_id: billing.id, namespace: 'x' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/https/);
    expect((await mandate.api('POST', '/v1/workload-issuers', { issuer: untrusted.url, rules: [{ agent_id: billing.id }] })).body.message).toMatch(/rules\[0\]/);
    expect((await mandate.api('POST', '/v1/workload-issuers', { issuer: untrusted.url, rules: [{ agent_id: 'agt_nobody', namespace: 'x' }] })).status).toBe(400);
    expect((await mandate.api('POST', '/v1/workload-issuers', { issuer: cluster.url, rules: [{ agent_id: billing.id, namespace: 'x' }] })).status).toBe(409);
    const removed = await runMandate(['--url', mandate.url, '--token', mandate.adminToken, 'workload-issuer', 'remove', issuerId]);
    expect(removed.code).toBe(0);
    expect((await exchange(await cluster.mint({ namespace: 'prod', sa: 'billing', aud: mandate.config.issuer }))).status).toBe(401);
  });
});
