/**
 * Agents talking over mutual TLS with the SDK's AgentIdentity, against a real Mandate server
 * (SQLite and PostgreSQL) and real TLS handshakes between two SDK agents: accepted with
 * allowed SPIFFE IDs (node https, tls and undici), refused for an expired certificate, one
 * from another CA, a SPIFFE ID off the allow-list and a decommissioned agent's certificate;
 * renewal at half-life on an injected clock swaps the server's certificate.
 *
 * The server's clock is manual so one agent's certificate can be made in the past: TLS checks
 * validity on the real time, so that certificate is expired for the handshake.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request as undiciRequest } from 'undici';
import { ManualClock } from '@mandate/sdk';
import { AgentIdentity, createMtlsServer, mtlsFetch, PeerRefusedError, type MtlsRequest } from '@mandate/sdk/workload';
import { ManualClock as ServerClock } from '../../src/shared/clock.js';
import { storeKinds } from '../support/stores.js';
import type { TestServer } from '../support/server.js';
import { registerAgent, startOAuthServer } from './support.js';
import { agentToken } from '../workload/support.js';

const MINUTE = 60_000;

describe.each(storeKinds())('agents over mTLS with AgentIdentity (%s)', (kind) => {
  let mandate: TestServer;
  let otherMandate: TestServer;
  let serverClock: ServerClock;
  const servers: Server[] = [];
  const identities: AgentIdentity[] = [];

  /** An agent registered on `on` with an AgentIdentity on `clock`. */
  async function agentIdentity(on: TestServer = mandate, clock = new ManualClock(Date.now())): Promise<{ identity: AgentIdentity; id: string; clock: ManualClock }> {
    const agent = await registerAgent(on);
    const identity = await AgentIdentity.create({ issuer: on.url, accessToken: () => agentToken(on, agent), clock });
    identities.push(identity);
    return { identity, id: agent.id, clock };
  }

  async function listen(server: Server): Promise<string> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** An echo server for `identity` that accepts `allow`. */
  function echoServer(identity: AgentIdentity, allow: string[], refusals: Error[] = []): Promise<string> {
    return listen(
      createMtlsServer(identity, { allow, onRefused: (e) => refusals.push(e) }, (request: MtlsRequest, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ caller: request.peer.spiffeId }));
      }),
    );
  }

  let stale: AgentIdentity;
  beforeAll(async () => {
    serverClock = new ServerClock(Date.now() - 3 * 60 * MINUTE);
    mandate = await startOAuthServer(kind, { clock: serverClock });
    // Issued three hours ago for one hour: expired now for TLS (which reads the real time).
    stale = (await agentIdentity()).identity;
    serverClock.set(Date.now());
    otherMandate = await startOAuthServer('sqlite');
  });
  afterAll(async () => {
    for (const identity of identities) identity.stop();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await mandate?.stop();
    await otherMandate?.stop();
  });

  it('two agents talk over mTLS, each verifying the other’s SPIFFE ID (https, tls, undici)', async () => {
    const a = await agentIdentity();
    const b = await agentIdentity();
    expect(a.identity.spiffeId).toBe(`spiffe://mandate.local/agent/${a.id}`);
    const url = await echoServer(a.identity, [b.identity.spiffeId]);
    const response = await mtlsFetch(b.identity, `${url}/hello`, { allow: [a.identity.spiffeId] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ caller: b.identity.spiffeId });

    const dispatcher = new Agent({ connect: b.identity.undiciConnectOptions([a.identity.spiffeId]) });
    const viaUndici = await undiciRequest(`${url}/hello`, { dispatcher });
    expect(await viaUndici.body.json()).toEqual({ caller: b.identity.spiffeId });
    await dispatcher.close();
    const wrongServer = new Agent({ connect: b.identity.undiciConnectOptions(['spiffe://mandate.local/agent/someone-else']) });
    await expect(undiciRequest(`${url}/hello`, { dispatcher: wrongServer })).rejects.toThrow(/not on the allow-list/);
    await wrongServer.close();
  });

  it('refuses a client whose SPIFFE ID is not allowed, and a server the client does not allow', async () => {
    const a = await agentIdentity();
    const b = await agentIdentity();
    const c = await agentIdentity();
    const refusals: Error[] = [];
    const url = await echoServer(a.identity, [b.identity.spiffeId], refusals);
    await expect(mtlsFetch(c.identity, url, { allow: [a.identity.spiffeId] })).rejects.toThrow();
    expect(refusals.map((e) => (e as PeerRefusedError).code)).toEqual(['ERR_SPIFFE_ID_NOT_ALLOWED']);
    const refused = await mtlsFetch(b.identity, url, { allow: [c.identity.spiffeId] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(PeerRefusedError);
    expect((refused as PeerRefusedError).code).toBe('ERR_SPIFFE_ID_NOT_ALLOWED');
  });

  it('refuses an expired certificate and one from another CA in the handshake', async () => {
    const a = await agentIdentity();
    const refusals: Error[] = [];
    const url = await echoServer(a.identity, [stale.spiffeId], refusals);
    expect(Date.parse(new Date(stale.current().expiresAt).toISOString())).toBeLessThan(Date.now());
    await expect(mtlsFetch(stale, url, { allow: [a.identity.spiffeId] })).rejects.toThrow();
    const foreign = await agentIdentity(otherMandate);
    const open = await echoServer(a.identity, [foreign.identity.spiffeId], refusals);
    // Same SPIFFE ID shape, other CA: the chain does not verify, whichever side looks.
    await expect(mtlsFetch(foreign.identity, open, { allow: [a.identity.spiffeId] })).rejects.toThrow(/certificate/i);
    // Node refused both in the handshake: the allow-list check never ran.
    expect(refusals).toEqual([]);
  });

  it('refuses a decommissioned agent’s certificate once the feed says so', async () => {
    const a = await agentIdentity();
    const d = await agentIdentity();
    const refusals: Error[] = [];
    const url = await echoServer(a.identity, [d.identity.spiffeId], refusals);
    expect((await mtlsFetch(d.identity, url, { allow: [a.identity.spiffeId] })).status).toBe(200);
    // Decommissioning goes through deprecation; the certificates go at the first step out of active.
    expect((await mandate.api('POST', `/v1/agents/${d.id}/deprecate`, { reason: 'replaced' })).status).toBe(200);
    expect((await mandate.api('POST', `/v1/agents/${d.id}/decommission`, { reason: 'retired' })).status).toBe(200);
    // The server agent reads the feed when its refresh is due on its clock.
    a.clock.advance(2 * MINUTE);
    await a.identity.maintain();
    expect(a.identity.isRevoked(d.identity.current().serial)).toBe(true);
    await expect(mtlsFetch(d.identity, url, { allow: [a.identity.spiffeId] })).rejects.toThrow();
    expect(refusals.map((e) => (e as PeerRefusedError).code)).toEqual(['ERR_CERTIFICATE_REVOKED']);
  });

  it('renews at half-life on the injected clock with a new key, and the server presents the new certificate', async () => {
    const a = await agentIdentity();
    const b = await agentIdentity();
    const url = await echoServer(a.identity, [b.identity.spiffeId]);
    const first = a.identity.current();
    a.clock.advance(29 * MINUTE);
    await a.identity.maintain();
    expect(a.identity.current().serial).toBe(first.serial);
    a.clock.advance(2 * MINUTE);
    await a.identity.maintain();
    const renewed = a.identity.current();
    expect(renewed.serial).not.toBe(first.serial);
    expect(renewed.privateKeyPem).not.toBe(first.privateKeyPem);
    const port = Number(new URL(url).port);
    const presented = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ...b.identity.tlsClientOptions([a.identity.spiffeId]) }, () => {
        resolve(socket.getPeerCertificate().serialNumber.toLowerCase());
        socket.end();
      });
      socket.on('error', reject);
    });
    expect(presented).toBe(renewed.serial);
    expect((await mtlsFetch(b.identity, url, { allow: [a.identity.spiffeId] })).status).toBe(200);
  });
});
