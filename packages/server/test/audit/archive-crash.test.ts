import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ARCHIVE_STEPS, AuditArchiver, AuditKeyring, AuditLog, AuditReader, type ArchiveStep } from '../../src/audit/index.js';
import { Envelope } from '../../src/crypto/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import type { Store } from '../../src/storage/index.js';
import { openTestStore, storeKinds } from '../support/stores.js';

/**
 * Retention's crash safety, on both stores: a crash injected after each write of an archive run
 * (the segment's temporary file synced; the segment renamed; the manifest's temporary file; the
 * manifest renamed, rows not yet deleted) leaves either the rows or a complete listed segment, and
 * the next run finishes the job: the archive and the live log verify from the first entry, every
 * entry is in exactly one of them, and no temporary or unlisted file is left.
 */

const DAY = 86_400_000;
const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

class Crash extends Error {}

async function setup(kind: 'sqlite' | 'postgres', retentionDays: number | undefined) {
  const store = await openTestStore(kind);
  stores.push(store);
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const keyring = await AuditKeyring.open(store.db, new Envelope(randomBytes(32)), clock);
  const log = new AuditLog({ store, clock, hmacKey: randomBytes(32), signer: keyring, checkpoints: { everyEntries: 7, intervalSeconds: 10 * 86_400 } });
  const dir = join(mkdtempSync(join(tmpdir(), 'mandate-archive-')), 'archive');
  const archiver = (afterStep?: (step: ArchiveStep) => void) =>
    new AuditArchiver({ store, clock, signer: keyring, settings: { retentionDays, dir, segmentEntries: 10, runMaxMs: 60_000 }, ...(afterStep ? { afterStep } : {}) });
  const append = async (n: number) => {
    for (let i = 0; i < n; i += 1) await log.append({ type: 'test.event', actor: { kind: 'system', id: 'test' }, action: 'do', outcome: 'success', details: { i } });
  };
  return { store, clock, dir, archiver, append, reader: new AuditReader(store) };
}

describe.each(storeKinds())('audit archive on %s', (kind) => {
  it('keeps everything by default: no retention, nothing archived however old', async () => {
    const { clock, archiver, append, reader } = await setup(kind, undefined);
    await append(5);
    clock.advance(3650 * DAY);
    await expect(archiver().run()).rejects.toThrow(/retentionDays is not set/);
    const live = await reader.verify();
    expect(live).toMatchObject({ ok: true, count: 5, archived: { seq: 0 } });
  });

  it('archives in bounded segments, prunes, and verifies from the first entry', async () => {
    const { clock, dir, archiver, append, reader } = await setup(kind, 1);
    await append(25);
    clock.advance(2 * DAY);
    await append(3);
    const run = await archiver().run();
    expect(run.written.map((s) => [s.first_seq, s.last_seq])).toEqual([
      [1, 10],
      [11, 20],
      [21, 25],
    ]);
    expect(run.pruned).toBe(25);
    const { live, archive } = await reader.verifyWithArchive(dir);
    expect(live).toMatchObject({ ok: true, count: 3, archived: { seq: 25 }, head: { seq: 28 } });
    expect(archive).toMatchObject({ ok: true, segments: 3, entries: 25, last: { seq: 25 } });
    // Each segment's seal plus the live checkpoints at 7, 14 and 21 moved with their entries.
    expect(archive.checkpoints).toBe(6);
    // A second run finds nothing more to move.
    expect((await archiver().run()).written).toEqual([]);
  });

  it.each(ARCHIVE_STEPS)('recovers from a crash after %s', async (step) => {
    const { clock, dir, archiver, append, reader } = await setup(kind, 1);
    await append(15);
    clock.advance(2 * DAY);
    const crashing = archiver((at) => {
      if (at === step) throw new Crash(`crash after ${at}`);
    });
    await expect(crashing.run()).rejects.toBeInstanceOf(Crash);
    // At the crash: the rows are all live, or a complete segment is listed and they are not yet deleted.
    const atCrash = await reader.verify();
    expect(atCrash).toMatchObject({ ok: true, count: 15, archived: { seq: 0 } });
    const recovered = await archiver().run();
    if (step === 'manifest-renamed') expect(recovered.finished.map((s) => s.last_seq)).toEqual([10]);
    const { live, archive } = await reader.verifyWithArchive(dir);
    expect(live).toMatchObject({ ok: true, count: 0, archived: { seq: 15 } });
    expect(archive).toMatchObject({ ok: true, segments: 2, entries: 15 });
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'segment-0000000000000001-0000000000000010.jsonl.gz', 'segment-0000000000000011-0000000000000015.jsonl.gz']);
  });

  it('refuses to go on when the archive directory does not reach the pruned boundary', async () => {
    const { clock, archiver, append, store, dir } = await setup(kind, 1);
    await append(5);
    clock.advance(2 * DAY);
    await archiver().run();
    const other = new AuditArchiver({ store, clock, signer: { sign: () => ({ seq: 0, hash: '', time: '', keyId: '', signature: '' }) }, settings: { retentionDays: 1, dir: `${dir}-elsewhere`, segmentEntries: 10, runMaxMs: 1000 } });
    await expect(other.run()).rejects.toThrow(/ends at seq 0 but the live log was pruned through seq 5/);
  });
});
