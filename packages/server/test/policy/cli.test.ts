import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { runMandate } from '../support/cli.js';
import type { TestServer } from '../support/server.js';
import { calendarRead, policyAgent, startOAuthServer } from './support.js';

describe('mandate policy (online verbs) against a real server', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
  const dir = mkdtempSync(join(tmpdir(), 'mandate-policy-cli-'));
  const cli = (...args: string[]) => runMandate(['--url', server.url, '--token', server.adminToken, ...args]);

  beforeAll(async () => {
    server = await startOAuthServer('sqlite', { clock });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('puts, lists, gets, shows revisions, rolls back and deletes', async () => {
    writeFileSync(join(dir, 'extra.rego'), 'package extra\n\nimport rego.v1\n\nanswer := 42\n');
    const put = await cli('policy', 'put', 'team/extra.rego', join(dir, 'extra.rego'));
    expect(put, put.stderr).toMatchObject({ code: 0 });
    expect(put.stdout).toContain('revision 2');
    const list = await cli('--json', 'policy', 'list');
    expect(JSON.parse(list.stdout).map((m: { id: string }) => m.id)).toEqual(['mandate/authz.rego', 'team/extra.rego']);
    expect((await cli('policy', 'get', 'team/extra.rego')).stdout).toContain('answer := 42');
    const revisions = await cli('--json', 'policy', 'revisions');
    expect(JSON.parse(revisions.stdout).map((r: { revision: number }) => r.revision)).toEqual([2, 1]);
    expect((await cli('policy', 'rollback')).stdout).toContain('now revision 3');
    expect((await cli('policy', 'get', 'team/extra.rego')).code).toBe(1);
    expect((await cli('policy', 'rollback', '--to', '2')).code).toBe(0);
    expect((await cli('policy', 'delete', 'team/extra.rego')).code).toBe(0);
    expect((await cli('policy', 'rollback', '--to', 'x')).code).toBe(2);
  });

  it('shows one module like the other groups\' show: a record, then its text; --json the API\'s module; 404 exits 1', async () => {
    writeFileSync(join(dir, 'shown.rego'), 'package team.shown\n\nimport rego.v1\n\nanswer := 7\n');
    expect((await cli('policy', 'put', 'team/shown.rego', join(dir, 'shown.rego'))).code).toBe(0);
    const show = await cli('policy', 'show', 'team/shown.rego');
    expect(show, show.stderr).toMatchObject({ code: 0 });
    expect(show.stdout).toMatch(/^id\s+team\/shown\.rego\npackage\s+team\.shown\nlines\s+6\n\npackage team\.shown\n/);
    expect(show.stdout).toContain('answer := 7\n');
    const json = await cli('--json', 'policy', 'show', 'team/shown.rego');
    expect(JSON.parse(json.stdout)).toEqual({ id: 'team/shown.rego', raw: 'package team.shown\n\nimport rego.v1\n\nanswer := 7\n' });
    const missing = await cli('policy', 'show', 'nope.rego');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404/);
    expect((await cli('policy', 'delete', 'team/shown.rego')).code).toBe(0);
  });

  it('mandate data put|get|delete: the data API, numbers exact, paths as slashes or data.refs', async () => {
    writeFileSync(join(dir, 'limits.json'), '{"id": 123456789012345678901234567890, "max": 3}');
    const put = await cli('data', 'put', 'cli/limits', join(dir, 'limits.json'));
    expect(put, put.stderr).toMatchObject({ code: 0, stdout: 'data.cli.limits stored\n' });
    const get = await cli('data', 'get', 'cli/limits');
    expect(get.code).toBe(0);
    expect(get.stdout).toContain('123456789012345678901234567890');
    expect(get.stdout).not.toContain('e+29');
    expect((await cli('data', 'get', 'data.cli.limits.max')).stdout).toBe('{"result":3}\n');
    expect((await cli('data', 'get', '/cli/limits/max')).stdout).toBe('{"result":3}\n');
    // Rules are documents too, as in OPA's GET /v1/data.
    writeFileSync(join(dir, 'rule.rego'), 'package cli.rule\n\nimport rego.v1\n\ndouble := data.cli.limits.max * 2\n');
    expect((await cli('policy', 'put', 'cli/rule.rego', join(dir, 'rule.rego'))).code).toBe(0);
    expect((await cli('data', 'get', 'data.cli.rule.double')).stdout).toBe('{"result":6}\n');
    expect((await cli('policy', 'delete', 'cli/rule.rego')).code).toBe(0);
    const deleted = await cli('data', 'delete', 'cli/limits');
    expect(deleted).toMatchObject({ code: 0, stdout: 'data.cli.limits deleted\n' });
    expect((await cli('data', 'get', 'cli/limits')).stdout).toBe('{}\n');
    const missing = await cli('data', 'delete', 'cli/limits');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404/);
    writeFileSync(join(dir, 'not.json'), '{oops');
    const notJson = await cli('data', 'put', 'cli/x', join(dir, 'not.json'));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/not\.json is not JSON/);
    const bad = await cli('data', 'put', 'a//b', join(dir, 'limits.json'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/400/);
  });

  it('mandate policy eval without -d asks the server (POST /v1/data/{path}) and prints what -d prints on the same files', async () => {
    const module = 'package cli.evaltest\n\nimport rego.v1\n\ndefault allow := false\n\nallow if input.user == "alice"\n\nbig := input.n\n\nlist := [input.user, {"empty": {}, "none": []}]\n';
    writeFileSync(join(dir, 'evaltest.rego'), module);
    writeFileSync(join(dir, 'input.json'), '{"user": "alice", "n": 123456789012345678901234567890}');
    expect((await cli('policy', 'put', 'cli/evaltest.rego', join(dir, 'evaltest.rego'))).code).toBe(0);
    for (const [query, format] of [['data.cli.evaltest.allow', 'json'], ['data.cli.evaltest', 'json'], ['data.cli.evaltest', 'pretty'], ['data.cli.nothing', 'json'], ['data.cli.nothing', 'pretty']] as const) {
      const online = await cli('policy', 'eval', query, '-i', join(dir, 'input.json'), '-f', format);
      const offline = await cli('policy', 'eval', query, '-d', join(dir, 'evaltest.rego'), '-i', join(dir, 'input.json'), '-f', format);
      expect(offline.code, offline.stderr).toBe(0);
      expect({ query, format, code: online.code, stdout: online.stdout, stderr: online.stderr }).toEqual({ query, format, code: 0, stdout: offline.stdout, stderr: '' });
    }
    expect((await cli('policy', 'eval', 'data.cli.evaltest.big', '-i', join(dir, 'input.json'), '-f', 'pretty')).stdout).toBe('123456789012345678901234567890\n');
    expect((await cli('policy', 'eval', 'data.cli.evaltest.allow')).stdout).toContain('"value": false');
    const query = await cli('policy', 'eval', 'x := 1');
    expect(query.code).toBe(2);
    expect(query.stderr).toMatch(/without -d the server evaluates a reference under data/);
    expect((await cli('policy', 'delete', 'cli/evaltest.rego')).code).toBe(0);
    const down = await runMandate(['--url', 'http://127.0.0.1:1', '--token', 'mop_x.y', 'policy', 'eval', 'data.x']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the Mandate server/);
  });

  it('refuses a module that does not compile and shows where', async () => {
    writeFileSync(join(dir, 'broken.rego'), 'package broken\n\nallow if {\n');
    const res = await cli('policy', 'put', 'broken.rego', join(dir, 'broken.rego'));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/broken\.rego:\d+:\d+: rego_parse_error/);
  });

  it('replays a candidate and lists the decisions that would change', async () => {
    const agent = await policyAgent(server, { name: 'cli replay bot' });
    const token = await agent.token();
    const res = await server.api('POST', '/v1/authorize', calendarRead(), { token });
    expect(res.body.decision).toBe('allow');
    await server.runtime.audit.flush();
    writeFileSync(join(dir, 'no-calendar.rego'), 'package mandate.authz\n\nimport rego.v1\n\ndeny contains "no_calendar" if input.tool_api == "google-calendar-api"\n');
    const replay = await cli('--json', 'policy', 'replay', '--candidate', join(dir, 'no-calendar.rego'), '--since', '1h');
    expect(replay.code, replay.stderr).toBe(0);
    const body = JSON.parse(replay.stdout);
    expect(body.changed).toEqual([expect.objectContaining({ decision_id: res.body.decision_id, before: 'allow', after: 'deny' })]);
    const table = await cli('policy', 'replay', '--candidate', join(dir, 'no-calendar.rego'));
    expect(table.stdout).toContain('allow → deny');
  });

  it('mandate authorize asks for an agent: prints the decision; exit 0 allow, 1 deny, 1 approval_required naming the request', async () => {
    const agent = await policyAgent(server, { name: 'cli authorize bot' });
    const tokenFile = join(dir, 'agent-token');
    writeFileSync(tokenFile, `${await agent.token()}\n`);
    const ask = (...args: string[]) => cli('authorize', '--agent-token', `@${tokenFile}`, ...args);
    const calendar = (owner: string) => ['--action', 'read', '--tool', 'google-calendar-api:events.list', '--resource-type', 'calendar', '--resource-id', 'primary', '--owner', owner, '--sensitivity', 'internal'];

    const allowed = await ask(...calendar('alice@example.com'), '--context', '{"ticket": "OPS-1"}');
    expect(allowed, allowed.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(allowed.stdout).toMatch(/^decision\s+allow\nreasons\s+-\nobligations\s+\[\]\ndecision_id\s+[0-9a-f-]{36}\npolicy_revision\s+\d+\n$/);

    const denied = await cli('--json', 'authorize', '--agent-token', await agent.token(), ...calendar('bob@example.com'));
    expect(denied.code).toBe(1);
    expect(JSON.parse(denied.stdout)).toMatchObject({ decision: 'deny', reasons: expect.arrayContaining(['calendar_not_delegating_user']) });
    expect(denied.stderr).toMatch(/^error: denied: .*calendar_not_delegating_user/);

    const held = await ask('--action', 'delete', '--tool', 'files-api:files.delete', '--resource-type', 'files', '--resource-id', 'q3.pdf', '--owner', 'alice@example.com', '--sensitivity', 'internal');
    expect(held.code).toBe(1);
    const approvalId = /^approval_id\s+(apr_\S+)$/m.exec(held.stdout)?.[1];
    expect(held.stdout).toMatch(/^decision\s+approval_required$/m);
    expect(held.stderr).toBe(`error: approval required: request ${approvalId} waits for an approver (mandate approvals show ${approvalId}; mandate approvals approve ${approvalId}); once approved, the agent asks again with approval_id ${approvalId}\n`);

    const badSensitivity = await ask(...calendar('alice@example.com').slice(0, -1), 'secret');
    expect(badSensitivity.code).toBe(2);
  });
});
