import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditFilter } from '../audit/index.js';
import { AuditFollower } from './follow.js';

/** A log of bare entries: what the follower reads after its cursor, in chain order. */
function log() {
  const entries: AuditEntry[] = [];
  const append = (n: number): AuditEntry[] => {
    const added = Array.from({ length: n }, (_, i) => ({ seq: entries.length + 1 + i }) as AuditEntry);
    for (const entry of added) entries.push(entry);
    return added;
  };
  async function* read(filter: AuditFilter): AsyncGenerator<AuditEntry> {
    for (const entry of entries.filter((e) => e.seq > (filter.afterSeq ?? 0))) yield entry;
  }
  return { entries, append, read, head: async () => entries.length };
}

describe('AuditFollower (the leader judges every replica entry once)', () => {
  it('starts at the head, then judges each entry committed after it exactly once, skipping its own', async () => {
    const l = log();
    l.append(5); // before following: another leader's business
    const judged: number[] = [];
    let now = 0;
    const follower = new AuditFollower({ entries: l.read, head: l.head, judge: (es) => judged.push(...es.map((e) => e.seq)), staleAfterMs: 5_000, monotonic: () => now, batch: 2 });
    expect(await follower.follow()).toBe(0);
    l.append(2); // another replica: 6, 7
    follower.own(l.append(2)); // this replica judged 8, 9 itself
    l.append(1); // another replica: 10
    now += 1_000;
    expect(await follower.follow()).toBe(3);
    expect(judged).toEqual([6, 7, 10]);
    now += 1_000;
    expect(await follower.follow()).toBe(0);
    l.append(1);
    now += 1_000;
    await follower.follow();
    expect(judged).toEqual([6, 7, 10, 11]);
  });

  it('restarts from the head after missing runs (another replica led meanwhile)', async () => {
    const l = log();
    const judged: number[] = [];
    let now = 0;
    const follower = new AuditFollower({ entries: l.read, head: l.head, judge: (es) => judged.push(...es.map((e) => e.seq)), staleAfterMs: 5_000, monotonic: () => now });
    await follower.follow();
    l.append(3);
    now += 60_000; // not leading for a minute: those three were judged elsewhere
    expect(await follower.follow()).toBe(0);
    l.append(1);
    now += 1_000;
    await follower.follow();
    expect(judged).toEqual([4]);
  });

  it('remembers nothing of its own before it follows (a frozen clock never runs the job)', async () => {
    const l = log();
    const follower = new AuditFollower({ entries: l.read, head: l.head, judge: () => {}, staleAfterMs: 5_000 });
    for (let i = 0; i < 10; i += 1) follower.own(l.append(1_000));
    expect((follower as unknown as { judged: Set<number> }).judged.size).toBe(0);
  });
});
