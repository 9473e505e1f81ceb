/**
 * `npm run demo` runs to the end, as a newcomer runs it, and its narrative is checked step by
 * step: every step present in the seed's order, the MCP part of the story ok, and each step whose
 * capability this build lacks says "skipped: <capability> not available in this build". Whether a
 * capability is there is probed here independently of the demo's own detection (the token
 * endpoint's answer to the token-exchange grant, the not-found handler for the routes), so a step
 * can neither be skipped while its capability is served nor pass for done while it is not.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPABILITIES, TOKEN_EXCHANGE_GRANT } from '../../demo/capabilities.js';
import { STEPS } from '../../demo/steps/index.js';
import { basic, postForm, registerAgent, startOAuthServer } from '../support/agents.js';
import type { TestServer } from '../support/server.js';

const run = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface NarratedStep {
  index: number;
  title: string;
  lines: string[];
  outcome: string;
}

function parseNarrative(stdout: string): NarratedStep[] {
  const steps: NarratedStep[] = [];
  for (const line of stdout.split('\n')) {
    const heading = /^\[(\d+)\/(\d+)\] (.+)$/.exec(line);
    if (heading) steps.push({ index: Number(heading[1]), title: heading[3]!, lines: [], outcome: '' });
    else if (line.startsWith('   => ')) steps.at(-1)!.outcome = line.slice(6);
    else if (line.startsWith('    ') && steps.length > 0) steps.at(-1)!.lines.push(line.trim());
  }
  return steps;
}

describe('npm run demo', () => {
  let stdout = '';
  let exitCode = 0;
  let server: TestServer;
  const absent = new Set<string>();

  beforeAll(async () => {
    // npm's own variables would point a nested npm at the wrong prefix.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
    const demo = run(npm, ['run', 'demo', '--silent'], { cwd: repoRoot, env, timeout: 110_000, maxBuffer: 4 * 1024 * 1024 }).then(
      (result) => result.stdout,
      (error: { code?: number; stdout?: string }) => {
        exitCode = typeof error.code === 'number' ? error.code : 1;
        return error.stdout ?? String(error);
      },
    );

    // Independent probes of this build's capabilities.
    server = await startOAuthServer('sqlite');
    const notRouted = async (method: string, path: string) => {
      const res = await server.api(method, path, undefined, { token: null });
      return res.status === 404 && String(res.body?.message ?? '').startsWith('no route');
    };
    const agent = await registerAgent(server);
    const exchange = await postForm(server, '/oauth2/token', { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: 'x', subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' }, { authorization: basic(agent.clientId, agent.clientSecret) });
    if (exchange.body?.error === 'unsupported_grant_type') absent.add(CAPABILITIES.delegation.name);
    if (await notRouted('POST', '/v1/db/calendar/creds/reader')) absent.add(CAPABILITIES.databaseCredentials.name);
    if (await notRouted('GET', '/v1/alerts')) absent.add(CAPABILITIES.alerts.name);
    if (await notRouted('GET', '/console')) absent.add(CAPABILITIES.console.name);
    stdout = await demo;
  }, 150_000);
  afterAll(async () => server?.stop());

  it('runs to the end with no failed step', () => {
    expect(stdout, stdout).toMatch(/^Done: \d+ ok, \d+ skipped, 0 failed\.$/m);
    expect(exitCode).toBe(0);
  });

  it('tells every step of the story, in order', () => {
    const narrated = parseNarrative(stdout);
    expect(narrated.map((s) => s.title)).toEqual(STEPS.map((s) => s.title));
    expect(narrated.map((s) => s.index)).toEqual(STEPS.map((_, i) => i + 1));
    for (const step of narrated) expect(step.outcome, step.title).toMatch(/^(ok|skipped|failed): /);
  });

  /** The step ran ok and narrated a line matching each pattern. */
  const expectOk = (id: string, ...lines: RegExp[]) => {
    const step = parseNarrative(stdout)[STEPS.findIndex((candidate) => candidate.id === id)]!;
    expect(step.outcome, id).toMatch(/^ok: /);
    for (const line of lines) expect(step.lines.some((l) => line.test(l)), `${id}: ${line}\n${step.lines.join('\n')}`).toBe(true);
  };

  it('walks the MCP part of the seed: register, guard, token, read and refusal, step-up, approval, retry, decommission', () => {
    expectOk('register', /POST \/v1\/agents → .* owner alice@example\.com, purpose calendar-management/, /approver/);
    expectOk('mcp-server', /RFC 9728 metadata at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp\/calendar/, /without a token: 401, WWW-Authenticate: Bearer resource_metadata=/);
    expectOk('token', /aud http:\/\/127\.0\.0\.1:\d+\/mcp\/calendar, scope "calendar:read", lifetime \d+ s/);
    expectOk('mcp-read', /list_events alice@example\.com → allow/, /list_events bob@example\.com → access_denied \(calendar_not_delegating_user/);
    expectOk('mcp-delete', /403 insufficient_scope/, /approval_required \(delete_requires_human_approval\).*apr_/, /approves apr_/, /retried .* → allow: deleted evt-dentist/);
    expectOk('decommission', /\/decommission → status decommissioned/, /new token → invalid_client/, /old token|still held → 401/, /audit\/verify → ok/);
  });

  // When a capability is absent, the test below checks its steps say skipped; these check what they show when it is there.
  it("walks delegation: Alice's ID token from a trusted IdP exchanged, A → B → C narrowed, depth 3 approved, the chain in MCP calls and revoked by cascade", () => {
    if (absent.has(CAPABILITIES.delegation.name)) return;
    expectOk(
      'delegation',
      /trusts Alice's company IdP \(oidc-provider at http:\/\/127\.0\.0\.1:\d+\): POST \/v1\/idps/,
      /delegated token: sub alice@example\.com, act agent-[\w-]+, scope "calendar:read calendar:delete calendar-events:read calendar-events:delete", depth 1, chain dch_/,
      /list_events alice@example\.com with it → allow: .*the guard records subject alice@example\.com, acting agent-[\w-]+$/,
      /list_events bob@example\.com with it → .*cross_user_without_admin_scope/,
    );
    expectOk(
      'sub-agents',
      /B exchanges A's token .* act (\S+) ← (\S+), scope "calendar:read calendar-events:read", depth 2$/,
      /C asks for B's two reads → invalid_scope: \[insufficient_reduction\]/,
      /C asks for calendar-events:read alone → authorization_pending, apr_\S+: a chain 3 deep/,
      /dana@example\.com approves apr_/,
      /C's token → sub alice@example\.com, act \S+ ← \S+ ← \S+, scope "calendar-events:read", depth 3/,
      /get_event alice@example\.com evt-standup → allow "Team standup"; the guard records acting \S+ ← \S+ ← \S+ for alice@example\.com/,
      /C: list_events → insufficient_scope/,
    );
    expectOk('decommission', /sub-sub-agent's token .* → 401 too/);
  });

  it('issues 60-second database credentials that log in read-only, and a short lease that revokes itself; decommissioning drops the live one', () => {
    if (absent.has(CAPABILITIES.databaseCredentials.name)) return;
    expectOk(
      'database-credentials',
      /embedded PostgreSQL at 127\.0\.0\.1:\d+\/calendar/,
      /creds\/reader .* → user \S+, a fresh password, lease lease_\S+, ttl 60 s$/,
      /it logs in and reads: "Team standup"$/,
      /DELETE FROM events → refused \(42501 /,
      /a 3-second lease, \S+ \(login ok\)/,
      /at expiry .*: role \S+ is gone from pg_roles, lease lease_\S+ revoked \(expired\)/,
      /logging in again → refused \(28P01 /,
    );
    expectOk('decommission', /revoked: .*client secret .*lease lease_/, /60-second database login \S+ is gone at once .* login refused \(28P01\)/);
  });

  it('raises an action-velocity alert from a burst of tool calls, visible at /v1/alerts and acknowledged', () => {
    if (absent.has(CAPABILITIES.alerts.name)) return;
    expectOk(
      'alerts',
      /calls list_events 40 times in \d+ ms/,
      /GET \/v1\/alerts\?agent=agent-[\w-]+ → alr_\S+: action_velocity \(1m\), severity high, observed (2\d|3\d|40):/,
      /evidence: audit entries \d+(, \d+)*/,
      /\/ack → acknowledged/,
    );
  });

  it('skips exactly the steps whose capability this build lacks, saying so', () => {
    const narrated = parseNarrative(stdout);
    const needs: Record<string, string> = {
      delegation: CAPABILITIES.delegation.name,
      'sub-agents': CAPABILITIES.delegation.name,
      'database-credentials': CAPABILITIES.databaseCredentials.name,
      alerts: CAPABILITIES.alerts.name,
      console: CAPABILITIES.console.name,
    };
    for (const [index, step] of STEPS.entries()) {
      const capability = needs[step.id];
      const outcome = narrated[index]!.outcome;
      if (capability && absent.has(capability)) expect(outcome, step.id).toBe(`skipped: ${capability} not available in this build`);
      else expect(outcome, step.id).toMatch(/^ok: /);
    }
    // The console line is printed only when the console is served.
    expect(stdout.includes('/console (the admin token')).toBe(!absent.has(CAPABILITIES.console.name));
  });

  it('opens the console: its page answers 200 as HTML under a Content-Security-Policy', () => {
    if (absent.has(CAPABILITIES.console.name)) return;
    expectOk('console', /GET http:\/\/127\.0\.0\.1:\d+\/console\/ → 200 text\/html, Content-Security-Policy: default-src 'self'/, /\/console \(the admin token is in /);
  });
});
