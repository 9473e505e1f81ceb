import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical.js';

/**
 * Signed checkpoints: every so often the log signs its head (sequence, hash, time) with the
 * audit signing key (Ed25519). A verifier holding only the public key can then tell that the
 * log up to that entry is what the server wrote, even if someone rewrote the whole chain
 * after it (recomputing every hash) with database access but without the private key.
 */

/** Binds the signature to its purpose, so a checkpoint signature is never valid as anything else. */
export const CHECKPOINT_PURPOSE = 'mandate.audit.checkpoint.v1';

export interface Checkpoint {
  seq: number;
  hash: string;
  time: string;
  keyId: string;
  /** Ed25519 signature, base64url. */
  signature: string;
}

/**
 * Binds a signed head (GET /v1/audit/head, signed on request for an operator to pin outside the
 * database) to its purpose: it says what a checkpoint says, but is not stored as one.
 */
export const HEAD_PURPOSE = 'mandate.audit.head.v1';

export type SignaturePurpose = typeof CHECKPOINT_PURPOSE | typeof HEAD_PURPOSE;

/** The exact bytes signed: RFC 8785 canonical JSON of `{purpose, seq, hash, time}`. */
export function checkpointMessage(point: { seq: number; hash: string; time: string }, purpose: SignaturePurpose = CHECKPOINT_PURPOSE): Buffer {
  const text = canonicalJson({ purpose, seq: point.seq, hash: point.hash, time: point.time });
  return Buffer.from(text, 'utf8');
}

/** A head signed on request: the log's last entry (seq, hash) at `time`, under `purpose` HEAD_PURPOSE. */
export interface SignedHead extends Checkpoint {
  purpose: typeof HEAD_PURPOSE;
}

/** True when `checkpoint.signature` is the given public key's signature over its fields. */
export function verifyCheckpointSignature(checkpoint: Checkpoint, publicKey: KeyObject, purpose: SignaturePurpose = CHECKPOINT_PURPOSE): boolean {
  try {
    return verify(null, checkpointMessage(checkpoint, purpose), publicKey, Buffer.from(checkpoint.signature, 'base64url'));
  } catch {
    return false;
  }
}

export function publicKeyFromJwk(jwk: Record<string, unknown>): KeyObject {
  return createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
}

/** When a checkpoint is due (STYLE.md §8: a pure function of the head and the time). */
export interface CheckpointPolicy {
  everyEntries: number;
  intervalSeconds: number;
}

export interface CheckpointState {
  /** The head's sequence after the append being considered. */
  seq: number;
  lastCheckpointSeq: number;
  /**
   * Time from which the interval runs: the last checkpoint's time, or the first entry's time
   * while no checkpoint exists (so a young log is not signed at its very first entry).
   */
  sinceMs: number;
}

export function checkpointDue(state: CheckpointState, nowMs: number, policy: CheckpointPolicy): boolean {
  const pending = state.seq - state.lastCheckpointSeq;
  if (pending <= 0) return false;
  return pending >= policy.everyEntries || nowMs - state.sinceMs >= policy.intervalSeconds * 1000;
}
