import { createHash, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { checkpointFromRecord, ManifestError, readManifest, type CheckpointRecord, type SegmentRecord } from './archive-manifest.js';
import { publicKeyFromJwk, verifyCheckpointSignature } from './checkpoint.js';
import { entryHash, GENESIS_HASH } from './hash.js';
import type { AuditEntry, AuditEntryView } from './types.js';

const gunzipAsync = promisify(gunzip);

/** Why an archive fails verification (docs/audit.md repeats this table). */
export const ARCHIVE_FAILURES = {
  manifest_invalid: 'manifest.json is missing or malformed: the archive cannot be walked',
  segment_missing: 'a segment the manifest lists cannot be read',
  segment_unreadable: 'a segment is not gzip of JSON lines: the file was damaged or replaced',
  segment_out_of_order: 'a segment does not begin where the one before ended: segments were reordered, removed or swapped',
  sequence_gap: 'an entry is missing from the sequence: a line was deleted',
  prev_hash_mismatch: 'the entry does not follow the one before it: lines were deleted, inserted or reordered',
  hash_mismatch: "the entry's content does not match its hash: the line was edited",
  segment_record_mismatch: "the segment's content is not what the manifest sealed (first/last seq and hash, count, SHA-256)",
  checkpoint_unknown_key: 'a checkpoint names a signing key that is not published',
  checkpoint_signature_invalid: 'a checkpoint signature does not verify: the segment or its checkpoint was forged or altered',
  checkpoint_hash_mismatch: 'a validly signed checkpoint disagrees with the entry: the chain was rewritten after it was signed',
  live_link_mismatch: 'the archive does not end where the live log begins: segments are missing at the end, or the live boundary was altered',
} as const;
export type ArchiveFailure = keyof typeof ARCHIVE_FAILURES;

export interface ArchiveVerifyResult {
  ok: boolean;
  segments: number;
  /** Archived entries that verified. */
  entries: number;
  /** Signed checkpoints verified (each segment's seal and the live checkpoints it kept). */
  checkpoints: number;
  /** The last archived entry verified (seq 0 and the genesis hash for an empty archive). */
  last: { seq: number; hash: string };
  /** With a failure: the segment file, the seq and why. */
  segment?: string;
  firstBadSeq?: number;
  reason?: ArchiveFailure;
  message?: string;
}

/** Published keys (GET /v1/audit/keys) by id, as `verifyArchive` takes them. */
export function archiveKeys(views: ReadonlyArray<{ kid: string; kty: string; crv: string; x: string }>): Map<string, KeyObject> {
  return new Map(views.map((v) => [v.kid, publicKeyFromJwk({ kty: v.kty, crv: v.crv, x: v.x })]));
}

/** The result as the API and the CLI print it (snake_case, failure fields only on failure). */
export function archiveVerifyView(result: ArchiveVerifyResult) {
  const { ok, segments, entries, checkpoints, last } = result;
  if (ok) return { ok, segments, entries, checkpoints, last };
  return { ok, segments, entries, checkpoints, last, ...(result.segment === undefined ? {} : { segment: result.segment }), ...(result.firstBadSeq === undefined ? {} : { first_bad_seq: result.firstBadSeq }), reason: result.reason!, message: result.message! };
}

type Fail = (reason: ArchiveFailure, seq: number | undefined, detail: string, segment?: string) => ArchiveVerifyResult;

/** An export line back as an entry (the shape hashEntry takes), or undefined when it is not one. */
function lineEntry(line: string): AuditEntry | undefined {
  try {
    const v = JSON.parse(line) as AuditEntryView;
    if (typeof v !== 'object' || v === null || !Number.isSafeInteger(v.seq) || typeof v.hash !== 'string') return undefined;
    return { seq: v.seq, time: v.time, type: v.type, actor: v.actor, subject: v.subject, agentId: v.agent_id, action: v.action, outcome: v.outcome as AuditEntry['outcome'], details: v.details, prevHash: v.prev_hash, hash: v.hash };
  } catch {
    return undefined;
  }
}

/**
 * Verifies an archive directory from the first entry: every segment the manifest lists, in
 * order, begins where the one before ended (the first at seq 1 after the genesis hash); within a
 * segment, the sequence has no gaps, each entry links to the one before and hashes to its hash;
 * the content matches what the manifest sealed; and each segment's checkpoint (and the live
 * checkpoints it kept) is signed by a published key over its entry's hash. With `live`, the
 * archive must end exactly at the live log's boundary. Stops at the first problem, naming the
 * segment and the seq. Reads one segment at a time.
 */
export async function verifyArchive(dir: string, keys: ReadonlyMap<string, KeyObject>, live?: { seq: number; hash: string }): Promise<ArchiveVerifyResult> {
  let segments = 0;
  let entries = 0;
  let checkpoints = 0;
  let last = { seq: 0, hash: GENESIS_HASH };
  const fail: Fail = (reason, seq, detail, segment) => ({
    ok: false,
    segments,
    entries,
    checkpoints,
    last,
    ...(segment === undefined ? {} : { segment }),
    ...(seq === undefined ? {} : { firstBadSeq: seq }),
    reason,
    message: `${segment === undefined ? '' : `segment ${segment}: `}${detail}: ${ARCHIVE_FAILURES[reason]}`,
  });

  let manifest;
  try {
    manifest = await readManifest(dir);
  } catch (error) {
    return fail('manifest_invalid', undefined, error instanceof ManifestError ? error.message : `${dir}: ${(error as Error).message}`);
  }
  if (!manifest) manifest = { segments: [] };

  for (const segment of manifest.segments) {
    const problem = await verifySegment(dir, segment, last, keys, fail, (n) => (entries += n), (n) => (checkpoints += n));
    if (problem) return problem;
    segments += 1;
    last = { seq: segment.last_seq, hash: segment.last_hash };
  }
  if (live && (live.seq !== last.seq || live.hash !== last.hash)) {
    return fail('live_link_mismatch', last.seq + 1, `the archive ends at seq ${last.seq} (${last.hash.slice(0, 12)}…), the live log begins after seq ${live.seq} (${live.hash.slice(0, 12)}…)`);
  }
  return { ok: true, segments, entries, checkpoints, last };
}

function checkCheckpoint(record: CheckpointRecord, hashAt: ReadonlyMap<number, string>, keys: ReadonlyMap<string, KeyObject>, fail: Fail, file: string): ArchiveVerifyResult | undefined {
  const checkpoint = checkpointFromRecord(record);
  const key = keys.get(checkpoint.keyId);
  if (!key) return fail('checkpoint_unknown_key', checkpoint.seq, `checkpoint at ${checkpoint.seq} names key '${checkpoint.keyId}'`, file);
  if (!verifyCheckpointSignature(checkpoint, key)) return fail('checkpoint_signature_invalid', checkpoint.seq, `checkpoint at ${checkpoint.seq}`, file);
  const hash = hashAt.get(checkpoint.seq);
  if (hash !== checkpoint.hash) return fail('checkpoint_hash_mismatch', checkpoint.seq, `checkpoint at ${checkpoint.seq} signs ${checkpoint.hash.slice(0, 12)}…, entry ${checkpoint.seq} ${hash === undefined ? 'is not in the segment' : `hashes to ${hash.slice(0, 12)}…`}`, file);
  return undefined;
}

async function verifySegment(
  dir: string,
  segment: SegmentRecord,
  before: { seq: number; hash: string },
  keys: ReadonlyMap<string, KeyObject>,
  fail: Fail,
  countEntries: (n: number) => void,
  countCheckpoints: (n: number) => void,
): Promise<ArchiveVerifyResult | undefined> {
  const file = segment.file;
  if (segment.first_seq !== before.seq + 1 || segment.prev_hash !== before.hash) {
    return fail('segment_out_of_order', before.seq + 1, `listed as seq ${segment.first_seq}–${segment.last_seq}, but the archive so far ends at seq ${before.seq}`, file);
  }
  let data: Buffer;
  try {
    data = await readFile(join(dir, file));
  } catch (error) {
    return fail('segment_missing', segment.first_seq, (error as NodeJS.ErrnoException).code ?? String(error), file);
  }
  let text: string;
  try {
    text = (await gunzipAsync(data)).toString('utf8');
  } catch {
    return fail('segment_unreadable', segment.first_seq, 'not gzip', file);
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  // Checked only for the seqs checkpoints name: the chain itself vouches for the rest.
  const signedSeqs = new Set([segment.checkpoint.seq, ...segment.checkpoints.map((c) => c.seq)]);
  const hashAt = new Map<number, string>();
  let expected = before.seq + 1;
  let prevHash = before.hash;
  for (const line of lines) {
    const entry = lineEntry(line);
    if (!entry) return fail('hash_mismatch', expected, `the line for entry ${expected} is not an entry`, file);
    if (entry.seq !== expected) return fail('sequence_gap', expected, `entry ${expected} is missing (next present: ${entry.seq})`, file);
    if (entry.prevHash !== prevHash) return fail('prev_hash_mismatch', entry.seq, `entry ${entry.seq} names ${String(entry.prevHash).slice(0, 12)}… as previous, but entry ${entry.seq - 1} hashes to ${prevHash.slice(0, 12)}…`, file);
    const { hash, ...fields } = entry;
    if (entryHash(fields) !== hash) return fail('hash_mismatch', entry.seq, `entry ${entry.seq}`, file);
    if (signedSeqs.has(entry.seq)) hashAt.set(entry.seq, hash);
    prevHash = hash;
    expected += 1;
    countEntries(1);
  }
  const lastSeq = expected - 1;
  if (lastSeq !== segment.last_seq || prevHash !== segment.last_hash || lines.length !== segment.count) {
    return fail('segment_record_mismatch', lastSeq + 1, `holds entries up to seq ${lastSeq} (${lines.length} lines), the manifest sealed seq ${segment.last_seq} (${segment.count} entries)`, file);
  }
  for (const record of [...segment.checkpoints, segment.checkpoint]) {
    const problem = checkCheckpoint(record, hashAt, keys, fail, file);
    if (problem) return problem;
    countCheckpoints(1);
  }
  if (createHash('sha256').update(data).digest('hex') !== segment.sha256 || data.length !== segment.bytes) {
    return fail('segment_record_mismatch', segment.first_seq, 'the file is not byte for byte the one sealed (SHA-256 differs) though its entries verify', file);
  }
  return undefined;
}
