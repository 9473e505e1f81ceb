/**
 * Decision ids: UUIDv7 (RFC 9562 §5.7) — 48 bits of Unix milliseconds, then 74 random bits.
 *
 * Every decision is an audit entry whose `subject` is its id, and the audit log indexes
 * `(subject, seq)`. Random (v4) ids land on a random leaf of that index, so each batch of
 * decisions dirtied about one index page per decision and SQLite rewrote them all at every
 * commit and checkpoint (the largest single cost of a decision in docs/benchmarks.md). Ids
 * that grow with time are appended at the index's right edge instead. They remain unique and
 * unguessable (74 random bits); they reveal the decision time, which the decision log holds anyway.
 */
import { randomUUID } from 'node:crypto';

/**
 * A UUIDv7 for a decision made at `nowMs` (the injected clock's time). The random bits are a
 * v4 UUID's (Node keeps a pool of random bytes for those, much cheaper than a fresh read per
 * id); its variant bits are already RFC 9562's, so only the time and the version change.
 */
export function decisionId(nowMs: number): string {
  const time = Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, '0').slice(-12);
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}
