import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { isoTime, type Clock } from '../shared/clock.js';
import { ConflictError } from '../shared/errors.js';
import type { Store } from '../storage/index.js';
import { listDirectory, removeDurably, writeDurably } from './archive-files.js';
import {
  checkpointRecord,
  emptyManifest,
  MANIFEST_FILE,
  manifestBytes,
  readManifest,
  SEGMENT_FILE,
  segmentFileName,
  TEMP_FILE,
  type Manifest,
  type SegmentRecord,
} from './archive-manifest.js';
import type { CheckpointSigner } from './log.js';
import { blobCache, entryView } from './query.js';
import { archivablePage, checkpointOf, checkpointsBetween, fillPrevHashes, pruneArchived, readArchiveBoundary, readHead, rowToEntry } from './store.js';

const gzipAsync = promisify(gzip);

/**
 * The points between an archive run's writes where a crash can fall (tests inject one at each):
 * the segment's temporary file synced, the segment renamed into place, the manifest's temporary
 * file synced, the manifest renamed (rows not yet deleted).
 */
export const ARCHIVE_STEPS = ['segment-temp', 'segment-renamed', 'manifest-temp', 'manifest-renamed'] as const;
export type ArchiveStep = (typeof ARCHIVE_STEPS)[number];

export interface ArchiveSettings {
  /** Entries older than this many days move to the archive; undefined keeps everything. */
  retentionDays: number | undefined;
  dir: string;
  /** Entries per segment at most (config `audit.archiveSegmentEntries`). */
  segmentEntries: number;
  /** A run starts no new segment after this many real milliseconds (config `audit.archiveRunMaxSeconds`). */
  runMaxMs: number;
}

export interface ArchiverOptions {
  store: Store;
  clock: Clock;
  signer: CheckpointSigner;
  settings: ArchiveSettings;
  /** Tests only: called after each step; throwing there is a crash at that point. */
  afterStep?: (step: ArchiveStep) => void;
}

export interface ArchiveRun {
  /** Segments written by this run (after any a crashed run left for it to finish). */
  written: SegmentRecord[];
  /** Segments a crashed run had sealed whose rows this run deleted. */
  finished: SegmentRecord[];
  /** Entries deleted from the live table. */
  pruned: number;
  /** Where the live table now begins (the last archived entry). */
  archived: { seq: number; hash: string };
}

export interface ArchiveListing {
  dir: string;
  retentionDays: number | null;
  archived: { seq: number; hash: string };
  segments: SegmentRecord[];
}

/**
 * Retention: moves entries older than `retentionDays` from the live table into sealed segments
 * (archive-manifest.ts) and only then deletes them. Each segment is written and synced under a
 * temporary name, renamed, the directory synced; the manifest the same way; then the rows and
 * their checkpoints are deleted and the head's archive boundary moved, in one transaction. A crash
 * at any point leaves the rows or a complete, listed segment, and the next run finishes the job:
 * it removes temporary files, deletes the rows of segments listed but not yet pruned, and drops
 * segment files never listed (their rows are still live). Runs are serialised in the process; the
 * scheduler runs them on the leader only (`audit.archive`, singleton).
 */
export class AuditArchiver {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ArchiverOptions) {}

  get settings(): ArchiveSettings {
    return this.options.settings;
  }

  /** Archives what retention allows now, bounded by the run's time; one run at a time. */
  run(): Promise<ArchiveRun> {
    const next = this.queue.then(() => this.runOnce());
    this.queue = next.catch(() => undefined);
    return next;
  }

  async list(): Promise<ArchiveListing> {
    const { dir, retentionDays } = this.options.settings;
    const manifest = (await readManifest(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOTDIR' ? null : Promise.reject(error)))) ?? emptyManifest();
    return { dir, retentionDays: retentionDays ?? null, archived: await readArchiveBoundary(this.options.store.db), segments: manifest.segments };
  }

  private step(step: ArchiveStep): void {
    this.options.afterStep?.(step);
  }

  private async runOnce(): Promise<ArchiveRun> {
    const { store, clock, settings } = this.options;
    if (settings.retentionDays === undefined) throw new ConflictError('audit.retentionDays is not set: the log keeps every entry and archives none');
    await mkdir(settings.dir, { recursive: true, mode: 0o700 });
    const manifest = (await readManifest(settings.dir)) ?? emptyManifest();
    const { boundary, finished, pruned: finishedCount } = await this.recover(manifest);
    const started = performance.now();
    const cutoff = isoTime(clock.now() - settings.retentionDays * 86_400_000);
    const written: SegmentRecord[] = [];
    let pruned = finishedCount;
    let from = boundary;
    while (performance.now() - started < settings.runMaxMs) {
      const head = await readHead(store.db);
      const page = await archivablePage(store.db, from.seq, head.seq, cutoff, settings.segmentEntries);
      // A prefix of the live log: stop at the first seq missing from the page (an entry still
      // inside the retention period, written out of time order by another replica).
      const end = page.findIndex((row, i) => Number(row.seq) !== from.seq + 1 + i);
      const rows = end === -1 ? page : page.slice(0, end);
      if (rows.length === 0) break;
      // Entries as readers see them: compact rows rebuilt from their blobs and previous hash.
      const blobs = blobCache(store.db);
      await blobs.preload(await fillPrevHashes(store.db, rows));
      const segment = await this.seal(rows.map((row) => rowToEntry(row, blobs)), from);
      manifest.segments.push(segment);
      await writeDurably(settings.dir, MANIFEST_FILE, manifestBytes(manifest), (s) => this.step(s === 'temp' ? 'manifest-temp' : 'manifest-renamed'));
      await this.prune(from, segment);
      written.push(segment);
      pruned += segment.count;
      from = { seq: segment.last_seq, hash: segment.last_hash };
      if (rows.length < settings.segmentEntries) break;
    }
    return { written, finished, pruned, archived: from };
  }

  /** Writes one segment file durably and returns its manifest record (not yet listed). */
  private async seal(entries: ReturnType<typeof rowToEntry>[], from: { seq: number; hash: string }): Promise<SegmentRecord> {
    const { store, signer, settings, clock } = this.options;
    const first = entries[0]!;
    const last = entries[entries.length - 1]!;
    const text = entries.map((entry) => `${JSON.stringify(entryView(entry))}\n`).join('');
    const data = await gzipAsync(Buffer.from(text, 'utf8'));
    const file = segmentFileName(first.seq, last.seq);
    await writeDurably(settings.dir, file, data, (s) => this.step(s === 'temp' ? 'segment-temp' : 'segment-renamed'));
    const nowMs = clock.now();
    const inRange = await checkpointsBetween(store.db, from.seq, last.seq);
    return {
      file,
      first_seq: first.seq,
      last_seq: last.seq,
      count: entries.length,
      prev_hash: first.prevHash,
      first_hash: first.hash,
      last_hash: last.hash,
      first_time: first.time,
      last_time: last.time,
      bytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      checkpoint: checkpointRecord(signer.sign({ seq: last.seq, hash: last.hash, time: isoTime(nowMs) })),
      checkpoints: inRange.map((row) => checkpointRecord(checkpointOf(row))),
      archived_at: isoTime(nowMs),
    };
  }

  private prune(from: { seq: number; hash: string }, segment: SegmentRecord): Promise<void> {
    const { store } = this.options;
    return store.transaction((trx) => pruneArchived(trx, store.dialect, from, { seq: segment.last_seq, hash: segment.last_hash }));
  }

  /**
   * Brings directory and table back in step after a crash: removes temporary files, prunes the
   * rows of listed segments the table still holds, and removes segment files the manifest does
   * not list whose entries are all still live (a crash before the manifest named them). Refuses
   * when the archive ends before the table's boundary: entries would be nowhere.
   */
  private async recover(manifest: Manifest): Promise<{ boundary: { seq: number; hash: string }; finished: SegmentRecord[]; pruned: number }> {
    const { store, settings } = this.options;
    const files = await listDirectory(settings.dir);
    await removeDurably(settings.dir, files.filter((name) => TEMP_FILE.test(name)));
    let boundary = await readArchiveBoundary(store.db);
    const lastListed = manifest.segments.at(-1)?.last_seq ?? 0;
    if (lastListed < boundary.seq) {
      throw new ConflictError(
        `the archive in ${settings.dir} ends at seq ${lastListed} but the live log was pruned through seq ${boundary.seq}: is audit.archiveDir the directory the archive was written to?`,
      );
    }
    const finished: SegmentRecord[] = [];
    let pruned = 0;
    for (const segment of manifest.segments.filter((s) => s.last_seq > boundary.seq)) {
      if (segment.first_seq !== boundary.seq + 1 || segment.prev_hash !== boundary.hash) {
        throw new ConflictError(`archive segment ${segment.file} does not follow the live log's boundary (seq ${boundary.seq}): the manifest and the table disagree`);
      }
      await this.prune(boundary, segment);
      finished.push(segment);
      pruned += segment.count;
      boundary = { seq: segment.last_seq, hash: segment.last_hash };
    }
    const listed = new Set(manifest.segments.map((s) => s.file));
    const unlisted = files.filter((name) => SEGMENT_FILE.test(name) && !listed.has(name));
    const stray = unlisted.filter((name) => Number(SEGMENT_FILE.exec(name)![1]) <= boundary.seq);
    if (stray.length > 0) throw new ConflictError(`archive segment ${stray[0]} holds pruned entries but ${MANIFEST_FILE} does not list it: restore the manifest`);
    await removeDurably(settings.dir, unlisted);
    return { boundary, finished, pruned };
  }
}
