import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/client.js';
import { registerPolicyOfflineCommands } from '../../src/cli/policy-offline-commands.js';
import { runEval, runTest, type PolicyIO } from '../../src/cli/policy-offline.js';
import { NOW_NS, SEED_POLICY_V0, SEED_POLICY_V1 } from './seed-policy.js';

function capture(): PolicyIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    nowNs: () => NOW_NS,
    monotonicMs: () => 0,
  };
  return io;
}

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-rego-'));
  writeFileSync(join(dir, 'authz.rego'), SEED_POLICY_V1);
  writeFileSync(join(dir, 'input.json'), JSON.stringify({
    agent: { purpose: 'calendar-management', delegating_user: 'alice', token_expiry_ns: 1767229200000000000 },
    action: 'read',
    resource: { type: 'calendar-events', owner: 'alice' },
  }));
  mkdirSync(join(dir, 'tests'));
  writeFileSync(join(dir, 'tests', 'authz_test.rego'), `package mandate.authz_test
import rego.v1
import data.mandate.authz

test_read_allowed if authz.allow with input as {"agent": {"purpose": "calendar-management", "delegating_user": "a", "token_expiry_ns": 1e30}, "action": "read", "resource": {"type": "calendar-events", "owner": "a"}}
test_delete_denied if authz.deny with input as {"action": "delete", "agent": {}, "resource": {}}
test_wrong if authz.allow with input as {}
`);
  return dir;
}

describe('mandate policy eval', () => {
  it('prints OPA-style JSON results', () => {
    const dir = workspace();
    const io = capture();
    runEval('data.mandate.authz.allow', { data: [join(dir, 'authz.rego')], input: join(dir, 'input.json') }, io);
    expect(JSON.parse(io.stdout)).toEqual({ result: [{ expressions: [{ value: true, text: 'data.mandate.authz.allow', location: { row: 1, col: 1 } }] }] });
  });

  it('prints bindings of a query with variables, pretty', () => {
    const dir = workspace();
    const io = capture();
    runEval('x := data.mandate.authz.allow', { data: [join(dir, 'authz.rego')], input: join(dir, 'input.json'), format: 'pretty' }, io);
    expect(JSON.parse(io.stdout)).toEqual({ x: true });
  });

  it('shows a parse error at its source position', () => {
    const dir = workspace();
    writeFileSync(join(dir, 'bad.rego'), 'package bad\n\np if {\n  x := \n}\n');
    expect(() => runEval('data.bad.p', { data: [join(dir, 'bad.rego')] }, capture())).toThrow(/bad\.rego:5: rego_parse_error: unexpected "}"/);
  });

  it('reads v0 syntax when asked', () => {
    const dir = workspace();
    writeFileSync(join(dir, 'v0.rego'), SEED_POLICY_V0);
    const io = capture();
    runEval('data.mandate.authz.allow', { data: [join(dir, 'v0.rego')], input: join(dir, 'input.json'), v0: true, format: 'pretty' }, io);
    expect(io.stdout.trim()).toBe('true');
  });

  it('exits 2 on bad usage through commander', async () => {
    const program = new Command('mandate').exitOverride();
    const policy = program.command('policy').exitOverride();
    registerPolicyOfflineCommands(policy, capture());
    await expect(program.parseAsync(['policy', 'eval', 'data.x'], { from: 'user' })).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('mandate policy test', () => {
  it('runs test_ rules, reports PASS/FAIL and a summary', () => {
    const dir = workspace();
    const io = capture();
    const s = runTest([dir], {}, io);
    expect(s).toEqual({ passed: 2, failed: 1, errors: 0 });
    expect(io.stdout).toContain('data.mandate.authz_test.test_wrong: FAIL');
    expect(io.stdout).toContain('PASS: 2/3');
    expect(io.stdout).toContain('FAIL: 1/3');
  });

  it('fails the command (exit 1) when a test fails', async () => {
    const dir = workspace();
    const program = new Command('mandate').exitOverride();
    registerPolicyOfflineCommands(program.command('policy'), capture());
    const err = await program.parseAsync(['policy', 'test', dir], { from: 'user' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(1);
  });
});

describe('mandate policy fmt --v0-v1', () => {
  const inputs = [
    { agent: { purpose: 'calendar-management', delegating_user: 'alice', token_expiry_ns: 1767229200000000000 }, action: 'read', resource: { type: 'calendar-events', owner: 'alice' } },
    { agent: { purpose: 'calendar-management', delegating_user: 'alice', token_expiry_ns: 1 }, action: 'read', resource: { type: 'calendar-events', owner: 'alice' } },
    { agent: { delegating_user: 'alice' }, action: 'delete', resource: { owner: 'alice' } },
    { agent: { delegating_user: 'alice' }, action: 'delete', resource: { owner: 'alice' }, human_approval: { exists: true } },
    { agent: { delegating_user: 'alice', has_admin_scope: false }, action: 'read', resource: { owner: 'bob' } },
    { agent: { delegating_user: 'alice', has_admin_scope: true }, action: 'read', resource: { owner: 'bob' } },
  ];
  const fmt = async (args: string[], io = capture()) => {
    const program = new Command('mandate').exitOverride();
    const policy = program.command('policy').exitOverride();
    registerPolicyOfflineCommands(policy, io);
    await program.parseAsync(['policy', 'fmt', ...args], { from: 'user' });
    return io;
  };

  it('rewrites the seed v0 policy to v1 that compiles as v1 and decides as the v0 original', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'v0.rego'), SEED_POLICY_V0);
    const v1 = (await fmt(['--v0-v1', join(dir, 'v0.rego')])).stdout;
    expect(v1).toContain('import rego.v1');
    expect(v1).toContain('allow if {');
    writeFileSync(join(dir, 'v1.rego'), v1);
    for (const [k, input] of inputs.entries()) {
      writeFileSync(join(dir, `in-${k}.json`), JSON.stringify(input));
      for (const rule of ['allow', 'deny']) {
        const was = capture();
        runEval(`data.mandate.authz.${rule}`, { data: [join(dir, 'v0.rego')], input: join(dir, `in-${k}.json`), v0: true, format: 'pretty' }, was);
        const now = capture();
        runEval(`data.mandate.authz.${rule}`, { data: [join(dir, 'v1.rego')], input: join(dir, `in-${k}.json`), format: 'pretty' }, now);
        expect(now.stdout, `${rule} for input ${k}`).toBe(was.stdout);
      }
    }
    // -w writes it back
    await fmt(['--v0-v1', '-w', join(dir, 'v0.rego')]);
    expect(readFileSync(join(dir, 'v0.rego'), 'utf8')).toBe(v1);
  });

  it('refuses a module whose v1 form does not compile, and fmt without --v0-v1', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'any.rego'), 'package x\n\np { any([true]) }\n');
    await expect(fmt(['--v0-v1', join(dir, 'any.rego')])).rejects.toThrow(/any\.rego cannot be rewritten as Rego v1: .*deprecated built-in function/);
    expect(readFileSync(join(dir, 'any.rego'), 'utf8')).toBe('package x\n\np { any([true]) }\n');
    await expect(fmt([join(dir, 'any.rego')])).rejects.toMatchObject({ exitCode: 2 });
  });
});
