import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditEntry } from './types.js';

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * An entry's hash: SHA-256 over the previous hash and the RFC 8785 canonical JSON of every
 * field but the hash itself. Canonical JSON makes the hash independent of key order and
 * number formatting, so it can be recomputed by any verifier, in any language.
 */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const body = canonicalize({
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
  });
  if (body === undefined) throw new Error('audit entry cannot be serialised');
  return createHash('sha256').update(entry.prevHash, 'utf8').update('\n').update(body, 'utf8').digest('hex');
}
