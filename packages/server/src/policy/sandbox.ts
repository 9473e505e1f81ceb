/**
 * The policy sandbox: evaluation of what a caller submits (what-if replay of candidate modules,
 * the data API's evaluation) runs in a worker thread, so that no policy can hold the event loop
 * and delay other requests. Each job has a total budget (`policy.workerBudgetMs`): when it is
 * spent, or the caller goes away (AbortSignal), the worker is terminated — the only way to stop
 * synchronous code — and the job fails with EvaluationBudgetError (422, naming the limit). The
 * engine's own step and time limits still bound each single evaluation inside the worker.
 *
 * Workers are kept warm between jobs (each keeps the compiled policy of the last revisions, so a
 * data API call costs one message round trip); concurrent jobs get their own workers, at most
 * `policy.workers` at once (beyond: 429 naming the limit). Workers are unref'd: they never keep
 * the process alive at shutdown, and close() terminates them.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RegoError, RegoErrors, type RegoErrorCode } from '@mandate/rego';
import { MandateError, RateLimitedError } from '../shared/errors.js';
import { PolicyCompileError } from './errors.js';
import type { PolicyRef, SandboxAnswer, SandboxFailure, SandboxJob, SandboxReply } from './sandbox-worker.js';

export type { PolicyRef, SandboxJob } from './sandbox-worker.js';

export interface SandboxSettings {
  /** Total wall-clock time one job may run in its worker (`policy.workerBudgetMs`). */
  workerBudgetMs: number;
  /** Workers running jobs at once (`policy.workers`). */
  workers: number;
  /** Heap limit of each worker in MiB (`policy.workerMemoryMb`): an allocation bomb ends the worker, not the server. */
  workerMemoryMb: number;
}

/** A job that ran past its budget (or whose worker died) and was stopped: 422, naming the limit. */
export class EvaluationBudgetError extends MandateError {
  constructor(budgetMs: number, why: string = `ran longer than policy.workerBudgetMs (${budgetMs} ms)`) {
    super('evaluation_budget_exceeded', 422, `policy evaluation stopped: it ${why}`, { limit: 'policy.workerBudgetMs', limit_ms: budgetMs });
  }
}

/** Every worker is busy (`policy.workers`): 429, naming the limit. */
export class SandboxBusyError extends RateLimitedError {
  constructor(workers: number) {
    super(1);
    this.message = `all ${workers} policy evaluation workers are busy (policy.workers); retry after 1 s`;
  }
}

/** The caller went away; the job was stopped (nobody reads the answer). */
export class EvaluationCancelledError extends MandateError {
  constructor() {
    super('cancelled', 499, 'policy evaluation cancelled: the client disconnected');
  }
}

interface Slot {
  worker: Worker;
  /** Settles when the worker has loaded (READY) or failed to. */
  ready: Promise<void>;
  /** Policy keys this worker has compiled. */
  loaded: Set<string>;
}

/** tsx's ESM API (a dev dependency: only tests and `tsx` runs load TypeScript). */
function tsxApi(): string {
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  return pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
}

/** The worker's file next to this one: compiled JavaScript in production, TypeScript under tsx/vitest. */
function spawn(memoryMb: number): Worker {
  // execArgv: the process's own flags (`--input-type`, loaders) are not for the worker's file.
  const options = { resourceLimits: { maxOldGenerationSizeMb: memoryMb }, execArgv: [] };
  const typescript = import.meta.url.endsWith('.ts');
  const worker = typescript
    ? // Node 20 applies no --import loader to a worker's entry: load the TypeScript through tsx's API.
      new Worker(
        `import(${JSON.stringify(tsxApi())})` +
          `.then((tsx) => tsx.tsImport(${JSON.stringify(new URL('./sandbox-worker.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`,
        { ...options, eval: true },
      )
    : new Worker(new URL('./sandbox-worker.js', import.meta.url), options);
  worker.unref();
  return worker;
}

export class PolicySandbox {
  /** Warm workers waiting for a job (at most `workers`). */
  private readonly idle: Slot[] = [];
  private busy = 0;
  private nextId = 1;
  private closed = false;

  constructor(private readonly settings: SandboxSettings) {}

  /**
   * Runs one job in a worker within the budget (compiling its policy there the first time);
   * rejects with the engine's errors, PolicyCompileError, EvaluationBudgetError,
   * SandboxBusyError or EvaluationCancelledError.
   */
  async run(job: SandboxJob, signal?: AbortSignal): Promise<SandboxAnswer> {
    if (this.closed) throw new EvaluationCancelledError();
    if (signal?.aborted) throw new EvaluationCancelledError();
    if (this.busy >= this.settings.workers) throw new SandboxBusyError(this.settings.workers);
    this.busy += 1;
    const slot = this.idle.pop() ?? this.spawnSlot();
    try {
      await abortable(slot.ready, signal);
      const answer = await this.exchange(slot, withoutKnownText(job, slot.loaded), signal);
      slot.loaded.add(job.policy.key);
      this.release(slot);
      return answer;
    } catch (error) {
      // A failed evaluation leaves a healthy worker; a stopped or dead one is gone.
      if (error instanceof RegoError || error instanceof RegoErrors || error instanceof PolicyCompileError) this.release(slot);
      else void slot.worker.terminate();
      throw error;
    } finally {
      this.busy -= 1;
    }
  }

  /** Terminates every worker; jobs in progress fail. */
  async close(): Promise<void> {
    this.closed = true;
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((slot) => slot.worker.terminate()));
  }

  private spawnSlot(): Slot {
    const worker = spawn(this.settings.workerMemoryMb);
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (message !== 'ready') return;
        worker.off('message', onMessage);
        resolve();
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', () => reject(new Error('the policy sandbox worker exited while starting')));
    });
    ready.catch(() => undefined);
    return { worker, ready, loaded: new Set<string>() };
  }

  private release(slot: Slot): void {
    if (!this.closed && this.idle.length < this.settings.workers) this.idle.push(slot);
    else void slot.worker.terminate();
  }

  private exchange(slot: Slot, job: SandboxJob, signal: AbortSignal | undefined): Promise<SandboxAnswer> {
    const id = this.nextId++;
    const { worker } = slot;
    const budgetMs = this.settings.workerBudgetMs;
    return new Promise<SandboxAnswer>((resolve, reject) => {
      const settle = (fn: () => void) => {
        // This request's own timeout: a plain timer (docs/architecture.md, the scheduler).
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        fn();
      };
      const onMessage = (reply: SandboxReply) => {
        if (reply.id !== id) return;
        settle(() => (reply.ok ? resolve(reply.answer) : reject(errorOf(reply.failure))));
      };
      const onError = (error: Error) => {
        const memory = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        settle(() => reject(memory ? new EvaluationBudgetError(budgetMs, `ran out of memory (policy.workerMemoryMb: ${this.settings.workerMemoryMb} MiB)`) : error));
      };
      const onExit = () => settle(() => reject(new EvaluationBudgetError(budgetMs, 'was stopped (the worker exited)')));
      const onAbort = () => settle(() => reject(new EvaluationCancelledError()));
      const timer = setTimeout(() => settle(() => reject(new EvaluationBudgetError(budgetMs))), budgetMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ id, job });
    });
  }
}

/** The promise, or EvaluationCancelledError as soon as the signal aborts. */
function abortable(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new EvaluationCancelledError());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The job without the policy text the worker already compiled. */
function withoutKnownText(job: SandboxJob, loaded: Set<string>): SandboxJob {
  if (!loaded.has(job.policy.key)) return job;
  const policy: PolicyRef = { key: job.policy.key };
  return { ...job, policy };
}

/** The engine's errors, rebuilt on this side of the thread boundary. */
function errorOf(failure: SandboxFailure): Error {
  if ('message' in failure) return new Error(failure.message);
  if ('compile' in failure) return new PolicyCompileError(failure.compile.errors, failure.compile.hint);
  const list = failure.rego.map((e) => new RegoError(e.code as RegoErrorCode, e.detail, e.loc));
  return list.length === 1 ? list[0]! : new RegoErrors(list);
}
