/**
 * Rotation under traffic (issue 13, "Show"): 1,000 mTLS requests between two SDK agents
 * across three certificate rotations of each agent and one CA rotation, with no failed
 * request. The agents' clocks are advanced (renewal at half-life), never slept; the CA
 * rotation is an operator's `POST /v1/ca/rotate`, after which each agent's next refresh picks
 * up the bundle holding both CAs. Runs on SQLite and PostgreSQL.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@mandate/sdk';
import { AgentIdentity, createMtlsServer, mtlsFetch } from '@mandate/sdk/workload';
import { storeKinds } from '../support/stores.js';
import type { TestServer } from '../support/server.js';
import { registerAgent, startOAuthServer } from './support.js';
import { agentToken } from '../workload/support.js';

const MINUTE = 60_000;
const REQUESTS = 1_000;

describe.each(storeKinds())('rotation under traffic (%s)', (kind) => {
  let mandate: TestServer;
  let server: Server;
  const identities: AgentIdentity[] = [];

  beforeAll(async () => {
    mandate = await startOAuthServer(kind);
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await mandate?.stop();
  });

  async function identity(clock: ManualClock): Promise<AgentIdentity> {
    const agent = await registerAgent(mandate);
    const made = await AgentIdentity.create({ issuer: mandate.url, accessToken: () => agentToken(mandate, agent), clock });
    identities.push(made);
    return made;
  }

  it('1,000 requests, three certificate rotations and one CA rotation, no failure', async () => {
    const clockA = new ManualClock(Date.now());
    const clockB = new ManualClock(Date.now());
    const a = await identity(clockA);
    const b = await identity(clockB);
    let served = 0;
    server = createMtlsServer(a, { allow: [b.spiffeId] }, (request, response) => {
      served += 1;
      response.end(request.peer.spiffeId);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    const serials = { a: new Set([a.current().serial]), b: new Set([b.current().serial]) };
    const anchors = new Set<number>();
    const failures: string[] = [];
    /** Moves both agents' clocks and lets each do what is due (bundle first, then renewal). */
    const advance = async (ms: number) => {
      clockA.advance(ms);
      clockB.advance(ms);
      await a.maintain();
      await b.maintain();
      serials.a.add(a.current().serial);
      serials.b.add(b.current().serial);
    };
    const inFlight = 10;
    for (let sent = 0; sent < REQUESTS; sent += inFlight) {
      if (sent === 250 || sent === 500 || sent === 750) await advance(31 * MINUTE);
      if (sent === 400) {
        const rotated = await mandate.api('POST', '/v1/ca/rotate');
        expect(rotated.status).toBe(200);
        await advance(2 * MINUTE);
      }
      anchors.add(a.current().bundlePem.split('BEGIN CERTIFICATE').length - 1);
      const batch = await Promise.allSettled(Array.from({ length: inFlight }, () => mtlsFetch(b, url, { allow: [a.spiffeId] }).then((r) => r.text())));
      for (const result of batch) {
        if (result.status === 'rejected') failures.push(String(result.reason));
        else if (result.value !== b.spiffeId) failures.push(`unexpected body ${result.value}`);
      }
    }
    expect(failures).toEqual([]);
    expect(served).toBe(REQUESTS);
    // Three renewals each (four certificates), and the bundle held two CAs after the rotation.
    expect(serials.a.size).toBe(4);
    expect(serials.b.size).toBe(4);
    expect([...anchors]).toEqual([1, 2]);
    for (const made of identities) made.stop();
  }, 120_000);
});
