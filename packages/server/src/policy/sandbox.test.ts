// Issue 10 item 1 (b): the sandbox stops a job at its budget, when its caller goes away, and
// refuses work beyond its workers; a stopped worker is replaced, a healthy one kept.
import { afterEach, describe, expect, it } from 'vitest';
import { EvaluationBudgetError, EvaluationCancelledError, PolicySandbox, SandboxBusyError, type SandboxJob } from './sandbox.js';

const FOREVER = { maxSteps: Number.MAX_SAFE_INTEGER, timeoutMs: 600_000 };
const runaway = (key: string): SandboxJob => ({
  kind: 'data',
  policy: { key, modules: { 'r.rego': 'package r\nimport rego.v1\nspin := count([1 | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000); i >= j])\n' } },
  ref: 'data.r.spin',
  nowNs: 0n,
  strict: false,
  limits: FOREVER,
});
const quick = (key: string): SandboxJob => ({
  kind: 'data',
  policy: { key, modules: { 'q.rego': 'package q\nx := 1 + 1\n' } },
  ref: 'data.q.x',
  nowNs: 0n,
  strict: false,
  limits: FOREVER,
});

describe('policy sandbox', () => {
  let sandbox: PolicySandbox;
  afterEach(async () => {
    await sandbox?.close();
  });

  it('stops a job at its budget and naming the limit, then runs the next one in a fresh worker', async () => {
    sandbox = new PolicySandbox({ workerBudgetMs: 300, workers: 2, workerMemoryMb: 256 });
    const error = await sandbox.run(runaway('a')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvaluationBudgetError);
    expect((error as EvaluationBudgetError).status).toBe(422);
    expect((error as Error).message).toMatch(/policy\.workerBudgetMs \(300 ms\)/);
    expect(await sandbox.run(quick('b'))).toEqual({ json: '2' });
  });

  it('stops a job when its caller goes away', async () => {
    sandbox = new PolicySandbox({ workerBudgetMs: 600_000, workers: 2, workerMemoryMb: 256 });
    const gone = new AbortController();
    const job = sandbox.run(runaway('a'), gone.signal);
    // let the worker start and take the job, then disconnect
    await sandbox.run(quick('warm'));
    gone.abort();
    await expect(job).rejects.toBeInstanceOf(EvaluationCancelledError);
    expect(await sandbox.run(quick('b'))).toEqual({ json: '2' });
  });

  it('refuses a job beyond its workers with 429 naming policy.workers', async () => {
    sandbox = new PolicySandbox({ workerBudgetMs: 2_000, workers: 1, workerMemoryMb: 256 });
    const running = sandbox.run(runaway('a')).catch((e: unknown) => e);
    const busy = await sandbox.run(quick('b')).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(SandboxBusyError);
    expect((busy as SandboxBusyError).status).toBe(429);
    expect((busy as Error).message).toMatch(/policy\.workers/);
    expect(await running).toBeInstanceOf(EvaluationBudgetError);
  });

  it('passes the engine errors through and keeps the worker', async () => {
    sandbox = new PolicySandbox({ workerBudgetMs: 10_000, workers: 1, workerMemoryMb: 256 });
    const job: SandboxJob = {
      kind: 'data',
      policy: { key: 'c', modules: { 'c.rego': 'package c\nimport rego.v1\nx := count([i | some i in numbers.range(1, 100)])\n' } },
      ref: 'data.c.x',
      nowNs: 0n,
      strict: false,
      limits: { maxSteps: 10, timeoutMs: 1_000 },
    };
    await expect(sandbox.run(job)).rejects.toMatchObject({ code: 'eval_cancel_error' });
    expect(await sandbox.run(quick('d'))).toEqual({ json: '2' });
  });
});
