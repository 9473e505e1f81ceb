import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint } from './checkpoint.js';

/**
 * The archive directory's layout: sealed segments (`segment-<first>-<last>.jsonl.gz`, gzip'd JSON
 * lines, one export line per entry) and `manifest.json`, which lists them in order with what seals
 * each: its first and last seq and hash, the hash its first entry links to, the file's SHA-256 and
 * a checkpoint signed over its last entry. The manifest is an index, not a root of trust: a
 * verifier re-reads every segment and checks chain and signatures itself (archive-verify.ts).
 */
export const ARCHIVE_FORMAT = 'mandate.audit.archive.v1';
export const MANIFEST_FILE = 'manifest.json';

/** A checkpoint as the manifest and the API write it (snake_case, like GET /v1/audit/checkpoints). */
export interface CheckpointRecord {
  seq: number;
  hash: string;
  time: string;
  key_id: string;
  signature: string;
}

export interface SegmentRecord {
  file: string;
  first_seq: number;
  last_seq: number;
  count: number;
  /** The hash the first entry names as its previous one: the last hash of the segment before. */
  prev_hash: string;
  first_hash: string;
  last_hash: string;
  first_time: string;
  last_time: string;
  /** Size and SHA-256 (hex) of the file as written. */
  bytes: number;
  sha256: string;
  /** Signed when the segment was sealed, over (last_seq, last_hash): the audit key vouches for the whole chain up to here. */
  checkpoint: CheckpointRecord;
  /** The live log's own checkpoints that fell in this range, kept and verified with it. */
  checkpoints: CheckpointRecord[];
  archived_at: string;
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  segments: SegmentRecord[];
}

export const emptyManifest = (): Manifest => ({ format: ARCHIVE_FORMAT, segments: [] });

/** Wide enough for any safe integer, so names sort as their seqs do. */
const SEQ_DIGITS = 16;
export const segmentFileName = (firstSeq: number, lastSeq: number) =>
  `segment-${String(firstSeq).padStart(SEQ_DIGITS, '0')}-${String(lastSeq).padStart(SEQ_DIGITS, '0')}.jsonl.gz`;
export const SEGMENT_FILE = /^segment-(\d+)-(\d+)\.jsonl\.gz$/;
/** Temporary files (written, synced, then renamed into place) start with a dot and end in `.tmp`. */
export const TEMP_FILE = /^\..*\.tmp$/;

export const checkpointRecord = (c: Checkpoint): CheckpointRecord => ({ seq: c.seq, hash: c.hash, time: c.time, key_id: c.keyId, signature: c.signature });
export const checkpointFromRecord = (c: CheckpointRecord): Checkpoint => ({ seq: c.seq, hash: c.hash, time: c.time, keyId: c.key_id, signature: c.signature });

/** A manifest that cannot be read as one: the archive cannot be trusted to extend or verify. */
export class ManifestError extends Error {}

const isHash = (value: unknown) => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
const isSeq = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;

function checkCheckpoint(c: unknown, where: string): string[] {
  const r = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (!isSeq(r.seq)) problems.push(`${where}.seq`);
  if (!isHash(r.hash)) problems.push(`${where}.hash`);
  for (const field of ['time', 'key_id', 'signature']) if (typeof r[field] !== 'string') problems.push(`${where}.${field}`);
  return problems;
}

/** The shape problems of one record (field paths), empty when it is a segment record. */
function segmentProblems(value: unknown, i: number): string[] {
  const r = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const at = `segments[${i}]`;
  const problems: string[] = [];
  if (typeof r.file !== 'string' || !SEGMENT_FILE.test(r.file)) problems.push(`${at}.file`);
  for (const field of ['first_seq', 'last_seq', 'count', 'bytes']) if (!isSeq(r[field])) problems.push(`${at}.${field}`);
  for (const field of ['prev_hash', 'first_hash', 'last_hash']) if (!isHash(r[field])) problems.push(`${at}.${field}`);
  if (typeof r.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(r.sha256)) problems.push(`${at}.sha256`);
  for (const field of ['first_time', 'last_time', 'archived_at']) if (typeof r[field] !== 'string') problems.push(`${at}.${field}`);
  problems.push(...checkCheckpoint(r.checkpoint, `${at}.checkpoint`));
  if (!Array.isArray(r.checkpoints)) problems.push(`${at}.checkpoints`);
  else r.checkpoints.forEach((c, j) => problems.push(...checkCheckpoint(c, `${at}.checkpoints[${j}]`)));
  return problems;
}

/** Parses a manifest's text, naming every malformed field. */
export function parseManifest(text: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ManifestError(`${MANIFEST_FILE} is not JSON`);
  }
  const m = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (m.format !== ARCHIVE_FORMAT) throw new ManifestError(`${MANIFEST_FILE}: format must be '${ARCHIVE_FORMAT}'`);
  if (!Array.isArray(m.segments)) throw new ManifestError(`${MANIFEST_FILE}: segments must be an array`);
  const problems = m.segments.flatMap(segmentProblems);
  if (problems.length > 0) throw new ManifestError(`${MANIFEST_FILE}: malformed ${problems.slice(0, 5).join(', ')}${problems.length > 5 ? ', …' : ''}`);
  return m as unknown as Manifest;
}

/** The directory's manifest, or null when it has none (a new archive). */
export async function readManifest(dir: string): Promise<Manifest | null> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return parseManifest(text);
}

export const manifestBytes = (manifest: Manifest) => Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`, 'utf8');
