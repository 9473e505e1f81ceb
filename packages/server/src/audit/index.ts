/**
 * The audit context's public face. Writing: `AuditLog` (withEntry / appendIn for every state
 * change, append, and enqueue — group commit on the scheduler's `audit.group-commit` deadline —
 * for high-volume events) with the `Actor`/`AuditEvent` shapes every context records. Reading:
 * `AuditReader` (query pages, export streams, verification, checkpoints, public keys), for the
 * HTTP routes and for other contexts (policy replay reads logged decisions through it, never
 * the table). `AuditKeyring` signs checkpoints; `auditMigrations` joins the composition root's
 * list. `AuditArchiver` moves entries past retention into sealed segments and `verifyArchive`
 * checks them (the CLI's `audit verify --archive` too). The hash chain, canonical JSON and the
 * SQL (store.ts) stay inside.
 */
export type { Actor, AuditEntry, AuditEntryView, AuditEvent, DelegationLink, Outcome as AuditOutcome } from './types.js';
export { AuditLog, GROUP_COMMIT_JOB, type AuditLogOptions, type CheckpointSigner } from './log.js';
export { ClosedError, type GroupCommitOptions } from './group-commit.js';
export { AuditReader, type CheckpointPage, type HeadSigner } from './reader.js';
export { entryView, type AuditFilter, type AuditOrder, type AuditPage } from './query.js';
export { VERIFY_FAILURES, type VerifyFailure, type VerifyOptions, type VerifyResult } from './verify.js';
export { AuditKeyring, type AuditPublicKey } from './keys.js';
export { HEAD_PURPOSE, type Checkpoint, type CheckpointPolicy, type SignedHead } from './checkpoint.js';
export { AuditArchiver, ARCHIVE_STEPS, type ArchiveListing, type ArchiveRun, type ArchiveSettings, type ArchiveStep } from './archive.js';
export { ARCHIVE_FAILURES, archiveKeys, archiveVerifyView, verifyArchive, type ArchiveFailure, type ArchiveVerifyResult } from './archive-verify.js';
export type { CheckpointRecord, SegmentRecord } from './archive-manifest.js';
export { auditMigrations } from './migrations/index.js';
export { rewrapAuditKeys } from './rewrap.js';
