import { isoTime } from '../shared/clock.js';
import { ConflictError } from '../shared/errors.js';
import type { Store } from '../storage/index.js';
import type { Checkpoint, SignedHead } from './checkpoint.js';
import { verifyArchive, type ArchiveVerifyResult } from './archive-verify.js';
import { loadPublicKeys, type AuditPublicKey } from './keys.js';
import { exportEntries, queryEntries, type AuditFilter, type AuditPage } from './query.js';
import { checkpointOf, checkpointsAfter, entryHashAt, latestCheckpointRow, readHead } from './store.js';
import type { AuditEntry } from './types.js';
import { verifyLog, type VerifyOptions, type VerifyResult } from './verify.js';

/** Signs a head (the audit keyring). */
export interface HeadSigner {
  signHead(point: { seq: number; hash: string; time: string }): SignedHead;
}

export interface CheckpointPage {
  checkpoints: Checkpoint[];
  /** Pass as `afterSeq` for the next page; null on the last page. */
  nextAfterSeq: number | null;
}

/**
 * Reads the log, never writes it: pages and streams of entries by filter (the API, the export,
 * the CLI through the API, policy replay), verification, and the signed checkpoints and public
 * keys an outside verifier needs. The writing side is AuditLog (log.ts).
 */
export class AuditReader {
  /**
   * Verifications under way, by what they verify: a caller asking meanwhile joins the walk
   * instead of starting another, so any number of concurrent `GET /v1/audit/verify` cost one
   * walk of the log (each result names the head it reached).
   */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly store: Store) {}

  private once<T>(key: string, work: () => Promise<T>): Promise<T> {
    const known = this.running.get(key);
    if (known) return known as Promise<T>;
    const started = work().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }

  /** One page of matching entries; throws ValidationError for a malformed filter. */
  page(filter: AuditFilter, limit: number): Promise<AuditPage> {
    return queryEntries(this.store.db, this.store.dialect, filter, limit);
  }

  /** Every matching entry in order, one page in memory at a time, up to the head when it began. */
  entries(filter: AuditFilter): AsyncGenerator<AuditEntry> {
    return exportEntries(this.store.db, this.store.dialect, filter);
  }

  /** Checks the whole chain and every checkpoint (verify.ts); joins a verification under way. */
  verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    return this.once(`live:${options.pageSize ?? ''}`, () => verifyLog(this.store.db, options));
  }

  /**
   * The whole history: the archive in `dir` from the first entry (archive-verify.ts), ending
   * where the live log begins, and the live log from there.
   */
  verifyWithArchive(dir: string, options?: VerifyOptions): Promise<{ live: VerifyResult; archive: ArchiveVerifyResult }> {
    return this.once(`archive:${dir}:${options?.pageSize ?? ''}`, async () => {
      const live = await this.verify(options);
      const keys = new Map([...(await loadPublicKeys(this.store.db))].map(([id, { key }]) => [id, key]));
      return { live, archive: await verifyArchive(dir, keys, live.archived) };
    });
  }

  /** Signed checkpoints after `afterSeq`, oldest first. */
  async checkpoints(afterSeq: number, limit: number): Promise<CheckpointPage> {
    const rows = await checkpointsAfter(this.store.db, afterSeq, limit + 1);
    const checkpoints = rows.slice(0, limit).map(checkpointOf);
    return { checkpoints, nextAfterSeq: rows.length > limit ? checkpoints[checkpoints.length - 1]!.seq : null };
  }

  /** The newest signed checkpoint (the audit explorer shows it beside the verification), null before the first. */
  async latestCheckpoint(): Promise<Checkpoint | null> {
    const row = await latestCheckpointRow(this.store.db);
    return row ? checkpointOf(row) : null;
  }

  /** One entry by its sequence number, null when the log holds none with it. */
  async entry(seq: number): Promise<AuditEntry | null> {
    const page = await this.page({ afterSeq: seq - 1, order: 'asc' }, 1);
    const entry = page.entries[0];
    return entry && entry.seq === seq ? entry : null;
  }

  /**
   * The head signed now, for an operator to keep outside the database and later check with
   * `mandate audit verify --against` (docs/audit.md, "Pinning the head"). Refused (409) when the
   * head names an entry the log does not hold with that hash: such a head is not signed.
   */
  async signedHead(signer: HeadSigner, nowMs: number): Promise<SignedHead> {
    const head = await readHead(this.store.db);
    if (head.seq > 0 && (await entryHashAt(this.store.db, head.seq)) !== head.hash) {
      throw new ConflictError(`the head (seq ${head.seq}) does not match entry ${head.seq}: run GET /v1/audit/verify`);
    }
    return signer.signHead({ seq: head.seq, hash: head.hash, time: isoTime(nowMs) });
  }

  /** Every signing key ever used, retired ones too (old checkpoints are signed with them). */
  async publicKeys(): Promise<AuditPublicKey[]> {
    return [...(await loadPublicKeys(this.store.db)).values()].map((key) => key.view);
  }
}
