/**
 * The sandbox's worker thread (sandbox.ts): evaluates what callers submit — a what-if replay's
 * candidate modules, a data API evaluation — off the server's event loop. The main thread may
 * terminate it at any moment (budget spent, client gone); it holds nothing that must survive.
 *
 * Protocol: one message in, one out, matched by `id`. A job names its policy by `key`; the text
 * (`modules`, `data`) comes along the first time this worker sees that key and is compiled once.
 */
import { parentPort } from 'node:worker_threads';
import { parseJSON, RegoError, RegoErrors, RObject, toJSON, type PreparedPolicy, type RegoVersion } from '@mandate/rego';
import { compilePolicy } from './compile.js';
import { PolicyCompileError, type OpaErrorDetail } from './errors.js';
import { decideAgain, type EvalLimitSettings, type EvaluablePolicy, type LoggedDecision } from './package-eval.js';
import type { Outcome } from './outcome.js';

export interface PolicyRef {
  key: string;
  modules?: Record<string, string>;
  /** The Rego syntax of `modules` (policy.regoVersion); v1 when absent. */
  regoVersion?: RegoVersion;
  /** The base data document as JSON text (exact numbers). */
  data?: string;
}

export type SandboxJob =
  | { kind: 'compile'; policy: PolicyRef }
  | { kind: 'data'; policy: PolicyRef; ref: string; input?: string; nowNs: bigint; strict: boolean; limits: EvalLimitSettings }
  | { kind: 'replay'; policy: PolicyRef; decisions: LoggedDecision[]; ranks: Record<string, number>; limits: EvalLimitSettings };

/** A compile job's answer: it compiled (and is kept); a data job's: the document as JSON text, or null when undefined; a replay's: one outcome per decision. */
export type SandboxAnswer = { compiled: true } | { json: string | null } | { outcomes: Outcome[] };

/**
 * An error crosses the thread boundary as plain data; sandbox.ts rebuilds the engine's errors,
 * and a candidate that does not compile as the PolicyCompileError the main thread would have made.
 */
export type SandboxFailure =
  | { rego: Array<{ code: string; detail: string; loc?: { file: string; row: number; col: number } }> }
  | { compile: { errors: OpaErrorDetail[]; hint?: string } }
  | { message: string };

export type SandboxReply = { id: number; ok: true; answer: SandboxAnswer } | { id: number; ok: false; failure: SandboxFailure };

/** Compiled policies by key; a few, since keys change only with a revision. */
const compiled = new Map<string, EvaluablePolicy>();
const KEEP_COMPILED = 4;

function policyOf(ref: PolicyRef): EvaluablePolicy {
  const known = compiled.get(ref.key);
  if (known) return known;
  if (!ref.modules) throw new Error(`policy ${ref.key} was not sent to this worker`);
  // Compiled here, never on the server's event loop: a draft may be a megabyte of Rego.
  const prepared: PreparedPolicy = compilePolicy(ref.modules, ref.regoVersion ?? 'v1');
  const data = ref.data === undefined ? new RObject() : parseJSON(ref.data);
  const policy = { prepared, data: data instanceof RObject ? data : new RObject() };
  if (compiled.size >= KEEP_COMPILED) compiled.delete(compiled.keys().next().value!);
  compiled.set(ref.key, policy);
  return policy;
}

function run(job: SandboxJob): SandboxAnswer {
  const policy = policyOf(job.policy);
  if (job.kind === 'compile') return { compiled: true };
  if (job.kind === 'replay') return { outcomes: job.decisions.map((logged) => decideAgain(policy, job.limits, job.ranks, logged)) };
  const value = policy.prepared.evaluate(job.ref, {
    ...(job.input === undefined ? {} : { input: parseJSON(job.input) }),
    data: policy.data,
    nowNs: job.nowNs,
    strictBuiltinErrors: job.strict,
    limits: job.limits,
  });
  return { json: value === undefined ? null : toJSON(value) };
}

function failureOf(error: unknown): SandboxFailure {
  if (error instanceof PolicyCompileError) return { compile: { errors: error.errors, ...(error.hint ? { hint: error.hint } : {}) } };
  const list = error instanceof RegoErrors ? error.errors : error instanceof RegoError ? [error] : null;
  if (list) return { rego: list.map((e) => ({ code: e.code, detail: e.detail, ...(e.loc ? { loc: { file: e.loc.file, row: e.loc.row, col: e.loc.col } } : {}) })) };
  return { message: error instanceof Error ? error.message : String(error) };
}

/** Sent once loaded: the job's budget starts when the worker can take it, not while it boots. */
export const READY = 'ready';

parentPort?.on('message', (message: { id: number; job: SandboxJob }) => {
  let reply: SandboxReply;
  try {
    reply = { id: message.id, ok: true, answer: run(message.job) };
  } catch (error) {
    reply = { id: message.id, ok: false, failure: failureOf(error) };
  }
  parentPort!.postMessage(reply);
});
parentPort?.postMessage(READY);
