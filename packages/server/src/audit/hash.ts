import { hash as oneShotHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import type { AuditEntry, AuditEntryView } from './types.js';

/** SHA-256 in hex of a UTF-8 text, in one call (no Hash object per entry: this runs for every entry). */
export const sha256Hex = (text: string): string => oneShotHash('sha256', text, 'hex');

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** An entry's hash with the canonical JSON of its `actor` and `details`, which the log stores as they are. */
export interface HashedEntry {
  hash: string;
  actorJson: string;
  detailsJson: string;
}

/**
 * The object the hash is defined over: an export line (`entryView`) without `hash`. The API and
 * the export show entries through this one mapping, so what a verifier reads is what was hashed.
 */
export function hashedFields(entry: Omit<AuditEntry, 'hash'>): Omit<AuditEntryView, 'hash'> {
  return {
    seq: entry.seq,
    time: entry.time,
    type: entry.type,
    actor: entry.actor,
    subject: entry.subject,
    agent_id: entry.agentId,
    action: entry.action,
    outcome: entry.outcome,
    details: entry.details,
    prev_hash: entry.prevHash,
  };
}

/**
 * An entry's hash: SHA-256 over the previous hash and the RFC 8785 canonical JSON of every
 * field but the hash itself. Canonical JSON makes the hash independent of key order and
 * number formatting, so it can be recomputed by any verifier, in any language.
 *
 * The ten top-level keys are fixed, so their canonical object is written here in JCS order
 * (action < actor < agent_id < details < outcome < prev_hash < seq < subject < time < type)
 * around the canonical texts of `actor` and `details`; those two texts are returned too, and
 * the log stores them as the columns' JSON, so each entry is serialised once, not twice.
 * hash.test.ts checks the result against the `canonicalize` package on the whole object.
 */
export function hashEntry(entry: Omit<AuditEntry, 'hash'>): HashedEntry {
  const actorJson = canonicalJson(entry.actor);
  const detailsJson = canonicalJson(entry.details);
  const fields = hashedFields(entry);
  // A field left undefined is left out of the canonical object (as JSON.stringify leaves it
  // out): the fixed layout assumes all ten are present, so such an entry takes the generic path.
  const body = Object.values(fields).some((value) => value === undefined)
    ? canonicalJson(fields)
    : `{"action":${canonicalJson(entry.action)},"actor":${actorJson},"agent_id":${canonicalJson(entry.agentId)},` +
      `"details":${detailsJson},"outcome":${canonicalJson(entry.outcome)},"prev_hash":${canonicalJson(entry.prevHash)},` +
      `"seq":${canonicalJson(entry.seq)},"subject":${canonicalJson(entry.subject)},"time":${canonicalJson(entry.time)},"type":${canonicalJson(entry.type)}}`;
  const hash = sha256Hex(`${entry.prevHash}\n${body}`);
  return { hash, actorJson, detailsJson };
}

export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return hashEntry(entry).hash;
}
