import type { Executor } from '../storage/index.js';
import { verifyCheckpointSignature } from './checkpoint.js';
import { derivedMismatch } from './columns.js';
import { blobCache } from './query.js';
import type { BlobCache } from './compact.js';
import { entryHash, GENESIS_HASH } from './hash.js';
import { loadPublicKeys } from './keys.js';
import { chainPage, checkpointOf, checkpointsAfter, keysetPages, maxEntrySeq, readArchiveBoundary, readHead, rowToEntry } from './store.js';
import type { AuditEntryRow } from './tables.js';
import type { AuditEntry } from './types.js';

/** Why a log fails verification, and what that usually means (docs/audit.md repeats this table). */
export const VERIFY_FAILURES = {
  sequence_gap: 'an entry is missing from the sequence: it was deleted (or renumbered)',
  prev_hash_mismatch: 'the entry does not follow the one before it: entries were deleted, inserted or reordered',
  hash_mismatch: "the entry's content does not match its hash: the entry was edited",
  blob_missing: 'a compact entry refers to a blob the database no longer holds: the blob was deleted',
  blob_mismatch: "a blob's content no longer hashes to the SHA-256 it is stored under: the blob was edited (every entry stored against it changes)",
  column_mismatch: 'a column stored for filtering (actor_id, chain_id) disagrees with the hashed field it is derived from: the column was edited, so filtered queries answer wrongly',
  head_mismatch: 'the log does not end where the head says: entries were truncated at the end (or the head was altered)',
  checkpoint_unknown_key: 'a checkpoint names a signing key that is not published',
  checkpoint_signature_invalid: 'a checkpoint signature does not verify: the checkpoint was forged or altered',
  checkpoint_hash_mismatch: 'a validly signed checkpoint disagrees with the entry: the chain was rewritten (hashes recomputed) after it was signed',
  checkpoint_beyond_head: 'a signed checkpoint lies past the end of the log: entries were truncated and the head rewound',
} as const;
export type VerifyFailure = keyof typeof VERIFY_FAILURES;

export interface VerifyResult {
  ok: boolean;
  /** Live entries that verified (all of them when ok; those before the first bad one otherwise). */
  count: number;
  /** Checkpoints whose signature and hash verified. */
  checkpoints: number;
  head: { seq: number; hash: string };
  /**
   * Where the live table begins: the last entry moved to the archive and its hash (seq 0 and the
   * genesis hash when nothing is archived). The first live entry must link to it; the archive up
   * to it is verified by `verifyArchive` (archive-verify.ts).
   */
  archived: { seq: number; hash: string };
  firstBadSeq?: number;
  reason?: VerifyFailure;
  /** With `column_mismatch`: the column that disagrees. */
  column?: string;
  /** With `blob_missing` / `blob_mismatch`: the blob (its SHA-256, or its id when it is gone). */
  blob?: string;
  message?: string;
}

export interface VerifyOptions {
  /** Rows fetched per query; memory stays bounded by this, whatever the log's length. */
  pageSize?: number;
}

/** The row as an entry, or undefined when its JSON columns no longer parse or rebuild (an edit too). */
function parsedEntry(row: AuditEntryRow, blobs: BlobCache): AuditEntry | undefined {
  try {
    return rowToEntry(row, blobs);
  } catch {
    return undefined;
  }
}

/**
 * Verifies the live log (`walkLog`); when an archive run moved the boundary while it walked (the
 * rows it was about to read are gone), walks once more from the new boundary.
 */
export async function verifyLog(db: Executor, options: VerifyOptions = {}): Promise<VerifyResult> {
  const result = await walkLog(db, options);
  if (result.ok || (await readArchiveBoundary(db)).seq === result.archived.seq) return result;
  return walkLog(db, options);
}

/**
 * Verifies the whole live log, from the archive boundary on: the sequence has no gaps, each entry links to the one before,
 * each hash matches its content, each derived column matches its hashed field (columns.ts),
 * the log ends at the head, and every checkpoint is signed by a published key over a hash
 * that matches its entry. Stops at the first problem.
 */
async function walkLog(db: Executor, options: VerifyOptions): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 1_000;
  // Entries past this head may be appended while we walk; the next verification covers them.
  const archived = await readArchiveBoundary(db);
  const head = await readHead(db);
  const keys = await loadPublicKeys(db);
  let count = 0;
  let checkpoints = 0;
  const fail = (seq: number, reason: VerifyFailure, detail: string, about: { column?: string; blob?: string } = {}): VerifyResult => ({
    ok: false,
    count,
    checkpoints,
    head,
    archived,
    firstBadSeq: seq,
    reason,
    ...about,
    message: `${detail}: ${VERIFY_FAILURES[reason]}`,
  });

  const blobs = blobCache(db);
  const entryRows = keysetPages((after) => chainPage(db, after, head.seq, pageSize).then((page) => blobs.preload(page)), pageSize, archived.seq);
  const checkpointRows = keysetPages((after) => checkpointsAfter(db, after ?? -1, pageSize), pageSize, archived.seq);
  const nextCheckpointRow = async () => {
    const next = await checkpointRows.next();
    return next.done ? undefined : checkpointOf(next.value);
  };
  let nextCheckpoint = await nextCheckpointRow();

  let expected = archived.seq + 1;
  let prevHash = archived.hash;
  for await (const row of entryRows) {
    const seq = Number(row.seq);
    if (seq !== expected) return fail(expected, 'sequence_gap', `entry ${expected} is missing (next present: ${seq})`);
    // A compact row stores no prev_hash (''): it is the previous entry's hash, which the walk has.
    if (row.prev_hash === '') row.prev_hash = prevHash;
    else if (row.prev_hash !== prevHash) return fail(seq, 'prev_hash_mismatch', `entry ${seq} names ${row.prev_hash.slice(0, 12)}… as previous, but entry ${seq - 1} hashes to ${prevHash.slice(0, 12)}…`);
    if (row.base_id !== null && row.base_id !== undefined) {
      const blob = blobs.get(Number(row.base_id));
      if (!blob) return fail(seq, 'blob_missing', `entry ${seq} is stored against blob ${row.base_id}, which is missing`, { blob: String(row.base_id) });
      if (!blob.intact) return fail(seq, 'blob_mismatch', `entry ${seq} is stored against blob ${blob.hash.slice(0, 12)}…, whose content hashes to something else`, { blob: blob.hash });
    }
    const entry = parsedEntry(row, blobs);
    if (!entry || entryHash(entry) !== row.hash) return fail(seq, 'hash_mismatch', `entry ${seq}${entry ? '' : ' (its actor or details are not JSON)'}`);
    const mismatch = derivedMismatch(row, entry);
    if (mismatch) {
      const { column, stored, expected } = mismatch;
      return fail(seq, 'column_mismatch', `entry ${seq}: column ${column} is ${JSON.stringify(stored)}, its hashed fields say ${JSON.stringify(expected)}`, { column });
    }
    while (nextCheckpoint && nextCheckpoint.seq <= seq) {
      const checkpoint = nextCheckpoint;
      const pointSeq = checkpoint.seq;
      // A checkpoint below `seq` would name a missing entry, which the gap check catches first.
      const key = keys.get(checkpoint.keyId);
      if (!key) return fail(pointSeq, 'checkpoint_unknown_key', `checkpoint at ${pointSeq} names key '${checkpoint.keyId}'`);
      if (!verifyCheckpointSignature(checkpoint, key.key)) return fail(pointSeq, 'checkpoint_signature_invalid', `checkpoint at ${pointSeq}`);
      if (checkpoint.hash !== row.hash) return fail(pointSeq, 'checkpoint_hash_mismatch', `checkpoint at ${pointSeq} signs ${checkpoint.hash.slice(0, 12)}…, entry ${pointSeq} hashes to ${row.hash.slice(0, 12)}…`);
      checkpoints += 1;
      nextCheckpoint = await nextCheckpointRow();
    }
    prevHash = row.hash;
    expected += 1;
    count += 1;
  }
  await entryRows.return(undefined);

  if (expected - 1 < head.seq) return fail(expected, 'head_mismatch', `the log ends at entry ${expected - 1} but the head is at ${head.seq}`);
  if (prevHash !== head.hash) return fail(head.seq, 'head_mismatch', `entry ${head.seq} hashes to ${prevHash.slice(0, 12)}…, the head records ${head.hash.slice(0, 12)}…`);
  if (nextCheckpoint) {
    await checkpointRows.return(undefined);
    return fail(head.seq + 1, 'checkpoint_beyond_head', `checkpoint at ${nextCheckpoint.seq} is past the head (${head.seq})`);
  }
  // Entries beyond the head that no append accounts for (read max first: a legitimate append
  // moves entries and head together, so the head read after it can only be further along).
  const max = await maxEntrySeq(db);
  const latest = await readHead(db);
  if (max !== null && max > latest.seq) {
    return fail(latest.seq + 1, 'head_mismatch', `entries up to ${max} exist past the head (${latest.seq})`);
  }
  return { ok: true, count, checkpoints, head, archived };
}
