/**
 * Issue 10 item 4, the narrower form left last session: an admin binds a policy package to a
 * resource server, and that server's `POST /v1/authorize` calls evaluate it; the resource
 * server or the agent still cannot choose a package in the request, and a bound package that
 * is not loaded denies (`policy_package_missing`), never falls through. Over real HTTP, with the
 * `mandate resource-server package` CLI verb, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { runMandate } from '../support/cli.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { basic, postForm } from '../support/agents.js';
import { calendarRead, operatorToken, policyAgent, putPolicy, startOAuthServer, type PolicyAgent } from './support.js';
import { loggedDecision } from '../support/audit.js';

/** A stricter package for one API: every read of it is denied with its own reason. */
const STRICT = 'package strict.authz\n\nimport rego.v1\n\ndeny contains "strict_api_rule" if input.action == "read"\n';
const GONE = 'package gone.authz\n\nimport rego.v1\n\nallow if input.action == "read"\n';

describe.each(storeKinds())('a policy package bound to a resource server (issue 10 item 4) on %s', (kind) => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
  let agent: PolicyAgent;
  const audience = `https://strict-${kind}.example.com`;
  const plainAudience = `https://plain-${kind}.example.com`;
  let strict: { id: string; clientId: string; clientSecret: string };
  let plain: { id: string; clientId: string; clientSecret: string };
  let cli: string[];

  async function createServer(aud: string, extra: Record<string, unknown> = {}) {
    const res = await server.api('POST', '/v1/resource-servers', { name: `api ${aud}`, audience: aud, scopes: ['calendar:read'], ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.resource_server.id as string, clientId: res.body.client_id as string, clientSecret: res.body.client_secret as string, view: res.body.resource_server };
  }
  async function tokenFor(aud: string): Promise<string> {
    const issued = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', resource: aud }, { authorization: basic(agent.clientId, agent.clientSecret) });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    return issued.body.access_token as string;
  }
  /** The resource server asks about the agent's token for its own audience. */
  async function askAs(rs: { clientId: string; clientSecret: string }, aud: string, extra: Record<string, unknown> = {}) {
    return server.api('POST', '/v1/authorize', { ...calendarRead(), token: await tokenFor(aud), ...extra }, { token: null, headers: { authorization: basic(rs.clientId, rs.clientSecret) } });
  }
  const loggedPackage = async (decisionId: string) => {
    return (await loggedDecision(server, decisionId)).details as { package: string; policy_error?: string; reasons: string[] };
  };

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
    cli = ['--url', server.url, '--token', server.adminToken];
    agent = await policyAgent(server, { name: `bound bot ${kind}` });
    expect((await putPolicy(server, 'strict/authz.rego', STRICT)).status).toBe(200);
    strict = await createServer(audience);
    plain = await createServer(plainAudience);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('evaluates the server\'s package until an admin binds one with the CLI; then the bound package judges that server\'s calls only', async () => {
    const before = await askAs(strict, audience);
    expect(before.body.decision, JSON.stringify(before.body)).toBe('allow');
    expect((await loggedPackage(before.body.decision_id)).package).toBe('mandate.authz');

    const bound = await runMandate([...cli, '--json', 'resource-server', 'package', strict.id, 'strict.authz']);
    expect(bound.code, bound.stderr).toBe(0);
    expect(JSON.parse(bound.stdout)).toMatchObject({ id: strict.id, policy_package: 'strict.authz' });
    const shown = await runMandate([...cli, 'resource-server', 'show', strict.id]);
    expect(shown.stdout).toContain('strict.authz');

    const after = await askAs(strict, audience);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ decision: 'deny', reasons: ['strict_api_rule'] });
    expect((await loggedPackage(after.body.decision_id)).package).toBe('strict.authz');
    // Another resource server, and the agent asking with its own token, keep the server's package.
    expect((await askAs(plain, plainAudience)).body.decision).toBe('allow');
    expect((await server.api('POST', '/v1/authorize', calendarRead(), { token: await agent.token() })).body.decision).toBe('allow');

    // The binding is audited with what it replaced.
    const entries = await server.api('GET', `/v1/audit?type=oauth.resource_server.package_bound&subject=${strict.id}`);
    expect(entries.body.items.at(-1).details).toMatchObject({ policy_package: 'strict.authz', previous: null, audience });

    const cleared = await runMandate([...cli, 'resource-server', 'package', strict.id, '--clear']);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.stdout).toContain("server's package");
    expect((await askAs(strict, audience)).body.decision).toBe('allow');
  });

  it('still refuses a package named in the request by the bound resource server or the agent', async () => {
    expect((await server.api('PATCH', `/v1/resource-servers/${strict.id}`, { policy_package: 'strict.authz' })).status).toBe(200);
    for (const named of ['mandate.authz', 'strict.authz']) {
      const res = await askAs(strict, audience, { package: named });
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body).toMatchObject({ error: 'package_not_allowed', details: { package: 'strict.authz' } });
      expect(res.body.message).toContain('bound to this resource server');
    }
    const own = await server.api('POST', '/v1/authorize', { ...calendarRead(), package: 'strict.authz' }, { token: await agent.token() });
    expect(own.status).toBe(403);
    expect((await server.api('PATCH', `/v1/resource-servers/${strict.id}`, { policy_package: null })).body.policy_package).toBeNull();
  });

  it('denies with policy_package_missing when the bound package is not loaded, and never falls through', async () => {
    const res = await server.api('PATCH', `/v1/resource-servers/${strict.id}`, { policy_package: 'gone.authz' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const missing = await askAs(strict, audience);
    expect(missing.status).toBe(200);
    expect(missing.body).toMatchObject({ decision: 'deny', reasons: ['policy_package_missing'], obligations: [] });
    const logged = await loggedPackage(missing.body.decision_id);
    expect(logged).toMatchObject({ package: 'gone.authz', reasons: ['policy_package_missing'] });
    expect(logged.policy_error).toContain("package 'gone.authz' bound to resource server");
    // Loaded, it judges; deleted again, it denies again.
    expect((await putPolicy(server, 'gone/authz.rego', GONE)).status).toBe(200);
    expect((await askAs(strict, audience)).body.decision).toBe('allow');
    expect((await server.api('DELETE', '/v1/policies/gone/authz.rego')).status).toBe(200);
    expect((await askAs(strict, audience)).body).toMatchObject({ decision: 'deny', reasons: ['policy_package_missing'] });
    await server.api('PATCH', `/v1/resource-servers/${strict.id}`, { policy_package: null });
  });

  it('lets only an operator with resource-servers:manage and policies:write bind, and checks the name', async () => {
    for (const roles of [['owner'], ['auditor'], ['approver']]) {
      const token = await operatorToken(server, `binder-${roles[0]}-${kind}`, roles);
      const refused = await server.api('PATCH', `/v1/resource-servers/${strict.id}`, { policy_package: 'strict.authz' }, { token });
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    }
    expect((await server.api('GET', `/v1/resource-servers/${strict.id}`)).body.policy_package).toBeNull();
    const bad = await server.api('PATCH', `/v1/resource-servers/${strict.id}`, { policy_package: 'not a package' });
    expect(bad.status).toBe(400);
    expect((await server.api('PATCH', '/v1/resource-servers/rs_nothere', { policy_package: 'strict.authz' })).status).toBe(404);
    const usage = await runMandate([...cli, 'resource-server', 'package', strict.id]);
    expect(usage.code).toBe(2);
    // Bound at registration (CLI), it is in the record and judges at once.
    const created = await runMandate([...cli, '--json', 'resource-server', 'create', '--audience', `https://born-${kind}.example.com`, '--name', 'born strict', '--scope', 'calendar:read', '--policy-package', 'strict.authz']);
    expect(created.code, created.stderr).toBe(0);
    const born = JSON.parse(created.stdout) as { resource_server: { policy_package: string }; client_id: string; client_secret: string };
    expect(born.resource_server.policy_package).toBe('strict.authz');
    expect((await askAs({ clientId: born.client_id, clientSecret: born.client_secret }, `https://born-${kind}.example.com`)).body.reasons).toEqual(['strict_api_rule']);
  });
});
