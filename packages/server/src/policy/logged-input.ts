/**
 * The decision log's form of an input document, and the input replay rebuilds from it. The log
 * leaves out what it can rebuild exactly: `classification_ranks` (the same in every input) and
 * `time`, which follows from the decision's `now_ms` (logged beside it) — unless the
 * decision-log policy changed it (an upsert), in which case the logged `time` stays and wins.
 * What remains repeats from decision to decision is stored once by the audit log (compact
 * entries, audit/compact.ts); what is left in each entry is what is new. No heavy imports:
 * the replay worker loads this (through package-eval.ts).
 */
import { loggedTimeInput, timeInput } from './input-time.js';

type Input = Record<string, unknown>;

/** `input` (already loggable: plain JSON, keys sorted) without `time` when it is exactly `now_ms`'s. */
export function withoutDerivedTime(input: unknown, nowMs: number): unknown {
  if (input === null || typeof input !== 'object' || !('time' in input)) return input;
  const { time, ...rest } = input as Input;
  return JSON.stringify(time) === JSON.stringify(loggedTimeInput(nowMs)) ? rest : input;
}

/** The input a logged decision was evaluated with: the logged one with what the log left out put back. */
export function replayInput(logged: Input, nowMs: number, ranks: Readonly<Record<string, number>>): Input {
  const time = logged.time !== null && typeof logged.time === 'object' ? { ...(logged.time as Input), now_ns: BigInt(nowMs) * 1_000_000n } : timeInput(nowMs);
  return { ...logged, time, classification_ranks: ranks };
}
