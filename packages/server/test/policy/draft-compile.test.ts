/**
 * Drafts and replay candidates are compiled in the policy sandbox's worker, never on the
 * server's event loop: an operator with only `policies:read` may send a megabyte of Rego to
 * `POST /v1/policies/evaluate` or `/replay`, and compiling 240 KB took 0.6 s here, during which
 * every other caller waited. The main thread's compiler is wrapped (not replaced) to record
 * what it compiles; the worker thread loads the real module on its own, so the record holds
 * exactly what was compiled on the event loop.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestServer } from '../support/server.js';
import { calendarRead, policyAgent, putPolicy, startOAuthServer } from './support.js';

const compiledOnMainThread = vi.hoisted(() => [] as Array<Record<string, string>>);
vi.mock('../../src/policy/compile.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/policy/compile.js')>();
  return {
    ...original,
    compilePolicy: (modules: Record<string, string>, ...rest: [Parameters<typeof original.compilePolicy>[1]?]) => {
      compiledOnMainThread.push(modules);
      return original.compilePolicy(modules, ...rest);
    },
  };
});

const compiledHere = (moduleId: string) => compiledOnMainThread.some((modules) => moduleId in modules);

const DRAFT = 'package drafts.probe\n\nimport rego.v1\n\ngreeting := sprintf("hello %s", [input.name])\n';

describe('draft and candidate compilation', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startOAuthServer('sqlite');
    const agent = await policyAgent(server, { name: 'draft compile bot' });
    const token = await agent.token();
    expect((await server.api('POST', '/v1/authorize', calendarRead(), { token })).status).toBe(200);
    await server.runtime.audit.flush();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('activating a policy compiles it on the main thread (the record sees it)', async () => {
    expect((await putPolicy(server, 'active-probe.rego', 'package active.probe\n\nimport rego.v1\n\nx := 1\n')).status).toBe(200);
    expect(compiledHere('active-probe.rego')).toBe(true);
  });

  it('evaluates a draft with its compilation in the worker', async () => {
    const res = await server.api('POST', '/v1/policies/evaluate', { modules: { 'draft-probe.rego': DRAFT }, path: 'drafts/probe/greeting', input: { name: 'ada' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.result).toBe('hello ada');
    expect(compiledHere('draft-probe.rego')).toBe(false);
  });

  it("refuses a draft that does not compile with OPA's error list and its location, from the worker", async () => {
    const res = await server.api('POST', '/v1/policies/evaluate', { modules: { 'broken-draft.rego': 'package broken\n\nallow if {' }, path: 'broken' });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.code).toBe('invalid_parameter');
    expect(res.body.errors[0]).toMatchObject({ code: 'rego_parse_error', location: { file: 'broken-draft.rego', row: expect.any(Number) } });
    expect(compiledHere('broken-draft.rego')).toBe(false);
  });

  it('replays a candidate compiled in the worker, and refuses one that does not compile', async () => {
    const replayed = await server.api('POST', '/v1/policies/replay', { modules: { 'replay-probe.rego': 'package mandate.authz\n\nimport rego.v1\n\ndeny contains "probe" if true\n' }, since: '24h' });
    expect(replayed.status, JSON.stringify(replayed.body)).toBe(200);
    expect(replayed.body.evaluated).toBeGreaterThanOrEqual(1);
    expect(replayed.body.changed[0]).toMatchObject({ before: 'allow', after: 'deny' });
    const broken = await server.api('POST', '/v1/policies/replay', { modules: { 'replay-broken.rego': 'package mandate.authz\nallow if {' }, since: '24h' });
    expect(broken.status, JSON.stringify(broken.body)).toBe(400);
    expect(broken.body.errors[0].code).toBe('rego_parse_error');
    expect(compiledHere('replay-probe.rego') || compiledHere('replay-broken.rego')).toBe(false);
  });

  it("keeps the Rego v0 hint for a draft written in v0, which only the worker's compile can give now", async () => {
    const res = await server.api('POST', '/v1/policies/evaluate', { modules: { 'v0-draft.rego': 'package legacy\n\nallow { input.x == 1 }\n' }, path: 'legacy/allow' });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.hint).toMatch(/v0-draft\.rego looks like Rego v0/);
    expect(compiledHere('v0-draft.rego')).toBe(false);
  });
});
