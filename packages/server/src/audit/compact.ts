/**
 * Compact entries: what repeats from entry to entry is stored once, as a content-addressed blob,
 * and an entry keeps only its delta against it (delta.ts).
 *
 * An event that names a `compactKey` (the decision point uses one per agent token: the agent's
 * record, the token's claims and the delegation chain repeat verbatim in every decision made
 * with it) is stored against the blob last used for that key, its base: the canonical JSON of
 * `{actor, details}` of the entry that started it. The row's `actor` is then empty, its
 * `details` holds the delta and `base_id` names the blob (`audit_blobs`: id, SHA-256 of the body,
 * body). When the delta would exceed half the base, the entry starts a new base instead.
 *
 * The hash chain is untouched: an entry's hash is defined over its whole content (hash.ts) as
 * before, so exports and outside verifiers see no difference; readers rebuild the content from
 * base and delta before anything else looks at it. Verification also checks that each blob's
 * body still hashes to the SHA-256 it is stored under (`blob_mismatch`, naming the entry and
 * the blob); an edited delta, or a `base_id` pointed at another blob, changes the rebuilt
 * content and is a `hash_mismatch`. Blobs are shared between entries and never deleted.
 */
import { canonicalJson, isCheckedFrozen } from './canonical.js';
import { sha256Hex } from './hash.js';
import { applyDelta, diffDelta, type Delta } from './delta.js';
import type { AuditBlobRow, AuditEntryRow } from './tables.js';
import type { Actor } from './types.js';

/** A blob as the writer keeps it: its hash and body, and the body parsed (to diff against). */
export interface Base {
  hash: string;
  body: string;
  value: { actor: Record<string, unknown>; details: Record<string, unknown> };
}

export const blobHash = (body: string): string => sha256Hex(body);

function baseOf(actorJson: string, detailsJson: string, written: Base['value']): Base {
  // Both texts are canonical and "actor" < "details": the body is canonical JSON as it stands.
  const body = `{"actor":${actorJson},"details":${detailsJson}}`;
  return { hash: blobHash(body), body, value: adoptShared(JSON.parse(body), written) as Base['value'] };
}

/**
 * The parsed base with every deep-frozen part of the entry it was written from (canonically
 * checked: canonical.ts) put back in place of its parsed copy. Their content is the same (the
 * body was written from them) and they cannot change, so the next entries that share those
 * parts (the decision point's per-token input parts) compare to the base by identity.
 */
function adoptShared(parsed: unknown, written: unknown): unknown {
  if (isCheckedFrozen(written)) return written;
  if (parsed === null || typeof parsed !== 'object' || written === null || typeof written !== 'object') return parsed;
  if (Array.isArray(parsed) !== Array.isArray(written)) return parsed;
  const target = parsed as Record<string, unknown>;
  const source = written as Record<string, unknown>;
  for (const key of Object.keys(target)) {
    if (!Object.prototype.hasOwnProperty.call(source, key)) continue;
    // defineProperty: JSON.parse makes `__proto__` an own member, which assignment would not.
    Object.defineProperty(target, key, { value: adoptShared(target[key], source[key]), writable: true, enumerable: true, configurable: true });
  }
  return parsed;
}

/** How a compacted entry is stored: the base it refers to and its delta's canonical text. */
export interface Compacted {
  base: Base;
  deltaJson: string;
}

/** The empty delta: an entry identical to its base (the first against each new base). */
const NO_CHANGE = '{}';

/**
 * The writer's bases by compact key, most recently used last, at most `maxKeys` of them
 * (config `audit.compactBaseCacheEntries`); a key that falls out starts a new base next time,
 * which costs one blob, not correctness. With `maxKeys` 0 nothing is compacted.
 */
export class CompactBases {
  private readonly bases = new Map<string, Base>();

  constructor(private readonly maxKeys: number) {}

  /** The entry `{actor, details}` (already hashed: their canonical texts given) stored against its key's base. */
  compact(key: string, actor: Actor, details: Record<string, unknown>, actorJson: string, detailsJson: string): Compacted | undefined {
    if (this.maxKeys === 0) return undefined; // compaction off: stored whole
    const current = this.bases.get(key);
    if (current) {
      this.bases.delete(key);
      this.bases.set(key, current);
      const delta = diffDelta(current.value, { actor, details });
      const deltaJson = delta === undefined ? NO_CHANGE : canonicalJson(delta);
      if (deltaJson.length * 2 <= current.body.length) return { base: current, deltaJson };
    }
    const base = baseOf(actorJson, detailsJson, { actor: actor as unknown as Record<string, unknown>, details });
    this.bases.delete(key);
    this.bases.set(key, base);
    if (this.bases.size > this.maxKeys) this.bases.delete(this.bases.keys().next().value!);
    return { base, deltaJson: NO_CHANGE };
  }
}

// ---- reading ---------------------------------------------------------------------------------

/** A blob as a reader loaded it; `intact` is false when its body no longer hashes to its hash. */
export interface LoadedBlob {
  hash: string;
  body: string;
  intact: boolean;
}

/** Why a stored entry cannot be rebuilt from its base. */
export class BlobMissingError extends Error {
  constructor(readonly baseId: number) {
    super(`blob ${baseId} is missing`);
    this.name = 'BlobMissingError';
  }
}

/**
 * Blobs for the readers (query, export, verification), loaded page by page and kept up to
 * `maxBlobs` (most entries of a page share a few bases, so a page costs one small query).
 */
export class BlobCache {
  private readonly blobs = new Map<number, LoadedBlob>();

  constructor(
    private readonly fetch: (ids: number[]) => Promise<AuditBlobRow[]>,
    private readonly maxBlobs = 2_000,
  ) {}

  /** Loads the blobs `rows` refer to that are not held yet; returns the rows. */
  async preload<R extends Pick<AuditEntryRow, 'base_id'>>(rows: R[]): Promise<R[]> {
    const wanted = new Set<number>();
    for (const row of rows) {
      if (row.base_id !== null && row.base_id !== undefined && !this.blobs.has(Number(row.base_id))) wanted.add(Number(row.base_id));
    }
    if (wanted.size === 0) return rows;
    // Room for this page's blobs first: nothing this page needs is evicted while it is read.
    for (const id of this.blobs.keys()) {
      if (this.blobs.size + wanted.size <= this.maxBlobs) break;
      this.blobs.delete(id);
    }
    for (const row of await this.fetch([...wanted])) {
      this.blobs.set(Number(row.id), { hash: row.hash, body: row.body, intact: blobHash(row.body) === row.hash });
    }
    return rows;
  }

  /** The blob `id` (after `preload`), or undefined when the database does not hold it. */
  get(id: number): LoadedBlob | undefined {
    return this.blobs.get(id);
  }

  /** A row's `actor` and `details` as written: rebuilt from its base and delta, or parsed as they stand. */
  content(row: Pick<AuditEntryRow, 'actor' | 'details' | 'base_id'>): { actor: Actor; details: Record<string, unknown> } {
    if (row.base_id === null || row.base_id === undefined) {
      return { actor: JSON.parse(row.actor) as Actor, details: JSON.parse(row.details) as Record<string, unknown> };
    }
    const blob = this.blobs.get(Number(row.base_id));
    if (!blob) throw new BlobMissingError(Number(row.base_id));
    const full = applyDelta(JSON.parse(blob.body) as Record<string, unknown>, JSON.parse(row.details) as Delta);
    return { actor: full.actor as Actor, details: full.details as Record<string, unknown> };
  }
}
