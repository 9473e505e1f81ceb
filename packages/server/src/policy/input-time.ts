/**
 * `input.time` of a decision: all of it follows from the decision's time in ms, which the log
 * keeps as `now_ms` (so the log leaves `time` out and replay rebuilds it: logged-input.ts).
 * No imports: the replay worker loads this.
 */
const NS_PER_MS = 1_000_000n;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export function timeInput(nowMs: number): { now_ns: bigint; rfc3339: string; weekday: string; hour_utc: number } {
  const now = new Date(nowMs);
  return { now_ns: BigInt(nowMs) * NS_PER_MS, rfc3339: now.toISOString(), weekday: WEEKDAYS[now.getUTCDay()]!, hour_utc: now.getUTCHours() };
}

/** `timeInput` as the decision log writes it (input.ts `loggable`: numbers for bigints, keys sorted). */
export function loggedTimeInput(nowMs: number): { hour_utc: number; now_ns: number; rfc3339: string; weekday: string } {
  const { now_ns, rfc3339, weekday, hour_utc } = timeInput(nowMs);
  return { hour_utc, now_ns: Number(now_ns), rfc3339, weekday };
}
