import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { SEED_POLICY_V0, SEED_POLICY_V1 } from '../rego/seed-policy.js';
import { calendarRead, policyAgent, putPolicy, startOAuthServer, type PolicyAgent } from './support.js';

/** The seed policy's calendar read: the agent's own owner's events. */
const seedRead = (owner = 'alice@example.com', action = 'read') => ({ ...calendarRead(owner), action, resource: { ...calendarRead(owner).resource, type: 'calendar-events' } });

describe.each(storeKinds())('Rego v0 modules on %s', (kind) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));

  describe('with the default policy.regoVersion (v1)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startOAuthServer(kind, { clock });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('refuses a v0 module with an error that says it is Rego v0 and how to convert it', async () => {
      const put = await putPolicy(server, 'mandate/authz.rego', SEED_POLICY_V0);
      expect(put.status).toBe(400);
      expect(put.body.code).toBe('invalid_parameter');
      expect(put.body.errors[0]).toMatchObject({ code: 'rego_parse_error', message: expect.stringContaining('`if` keyword is required') });
      expect(put.body.message).toMatch(/^error\(s\) occurred while compiling module\(s\): mandate\/authz\.rego looks like Rego v0/);
      expect(put.body.hint).toContain('import rego.v1');
      expect(put.body.hint).toContain('`contains`');
      expect(put.body.hint).toContain('policy.regoVersion: "v0"');
      expect(put.body.hint).toContain('mandate policy fmt --v0-v1');
      // the default bundle is still active
      expect((await server.api('GET', '/v1/policy-revisions')).body.result).toHaveLength(1);
    });

    it('gives no v0 hint for errors that are not v0 syntax, nor for a v0-looking module that does not compile as v0 either', async () => {
      const bad = await putPolicy(server, 'bad.rego', 'package bad\n\nallow if {\n  input.x ==\n}\n');
      expect(bad.body.message).toBe('error(s) occurred while compiling module(s)');
      expect(bad.body.hint).toBeUndefined();
      const broken = await putPolicy(server, 'broken.rego', 'package broken\n\nallow { input.x == }\n');
      expect(broken.status).toBe(400);
      expect(broken.body.hint).toBeUndefined();
    });

    it('accepts the same policy in v1 syntax', async () => {
      expect((await putPolicy(server, 'mandate/authz.rego', SEED_POLICY_V1)).status).toBe(200);
    });
  });

  describe('with policy.regoVersion: "v0" (OPA\'s --v0-compatible)', () => {
    let server: TestServer;
    let agent: PolicyAgent;
    let token: string;
    beforeAll(async () => {
      server = await startOAuthServer(kind, { clock, config: { policy: { regoVersion: 'v0' } } });
      agent = await policyAgent(server, { name: `v0 bot ${kind}` });
      token = await agent.token();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('loads the default bundle (v1, with import rego.v1) and stores the v0 seed policy', async () => {
      expect((await server.api('GET', '/v1/policies')).body.result.map((p: { id: string }) => p.id)).toEqual(['mandate/authz.rego']);
      const put = await putPolicy(server, 'mandate/authz.rego', SEED_POLICY_V0);
      expect(put, JSON.stringify(put.body)).toEqual({ status: 200, body: { policy_revision: 2 } });
    });

    it('decides /v1/authorize with the stored v0 policy', async () => {
      const decide = async (body: Record<string, unknown>) => {
        const res = await server.api('POST', '/v1/authorize', body, { token });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return res.body as { decision: string; reasons: string[]; policy_revision: number };
      };
      expect(await decide(seedRead())).toMatchObject({ decision: 'allow', policy_revision: 2 });
      expect(await decide(seedRead('bob@example.com'))).toMatchObject({ decision: 'deny' });
      expect(await decide(seedRead('alice@example.com', 'write'))).toMatchObject({ decision: 'deny', reasons: ['default_deny'] });
    });

    it('evaluates the v0 policy through the data API (the sandbox workers parse v0 too)', async () => {
      const res = await server.api('POST', '/v1/data/mandate/authz/deny', { input: { action: 'delete', resource: { owner: 'a' }, agent: { delegating_user: 'a' } } });
      expect(res.body).toEqual({ result: true });
    });

    it('still refuses a module that is neither v0 nor v1', async () => {
      const put = await putPolicy(server, 'x.rego', 'package x\n\nallow { input.x == }\n');
      expect(put.status).toBe(400);
      expect(put.body.hint).toBeUndefined();
    });
  });
});
