/**
 * Filler agents for the benchmarks that need a big registry: valid `agents` rows inserted in
 * bulk, bypassing registration (which hashes a fresh secret and writes an audit entry per agent).
 */
import { isoTime, systemClock } from '../../src/shared/clock.js';
import type { AgentRow } from '../../src/registry/tables.js';
import type { Store } from '../../src/storage/database.js';

/** What every filler agent shares: its grants and the hash of its client secret. */
export interface FillerProfile {
  purpose: string;
  owner: string;
  scopes: string[];
  tools: string[];
  dataClassification: string;
  environment: string;
  /** One precomputed hash for all of them: hashing a million secrets would dominate the run. */
  secretHash: string;
}

/** A secret no client can present: the lookup benches never authenticate. */
const LOOKUP_ONLY: FillerProfile = {
  purpose: 'benchmark',
  owner: 'owner@example.com',
  scopes: ['read:docs', 'write:docs'],
  tools: ['search'],
  dataClassification: 'internal',
  environment: 'bench',
  secretHash: `sha256:${'0'.repeat(64)}`,
};

/** The id of filler agent `n`. */
export const fillerAgentId = (n: number): string => `bench-agent-${n}`;

function agentRow(n: number, now: string, profile: FillerProfile): AgentRow {
  const id = fillerAgentId(n);
  return {
    id,
    client_id: id,
    name: `Bench agent ${n}`,
    purpose: profile.purpose,
    owner: profile.owner,
    scopes: JSON.stringify(profile.scopes),
    tools: JSON.stringify(profile.tools),
    data_classification: profile.dataClassification,
    environment: profile.environment,
    status: 'active',
    token_ttl_seconds: null,
    jwks: null,
    tls_client_auth_subject_dn: null,
    metadata: '{}',
    client_secret_hash: profile.secretHash,
    client_secret_issued_at: now,
    previous_secret_hash: null,
    previous_secret_expires_at: null,
    created_at: now,
    created_by: 'bench',
    updated_at: now,
    status_changed_at: now,
    status_changed_by: 'bench',
    status_reason: null,
    last_reviewed_at: null,
    last_reviewed_by: null,
    last_review_notes: null,
  };
}

/** Rows per INSERT: 27 columns × 1,000 stays under SQLite's 32,766 bound parameters. */
const ROWS_PER_STATEMENT = 1_000;
/** Rows per transaction. */
const ROWS_PER_TRANSACTION = 10_000;

/** Inserts filler agents `from` … `to - 1`, 10,000 per transaction in multi-row INSERTs. */
export async function insertAgents(store: Store, from: number, to: number, profile: FillerProfile = LOOKUP_ONLY): Promise<void> {
  const now = isoTime(systemClock.now());
  for (let chunk = from; chunk < to; chunk += ROWS_PER_TRANSACTION) {
    const end = Math.min(chunk + ROWS_PER_TRANSACTION, to);
    await store.transaction(async (trx) => {
      for (let start = chunk; start < end; start += ROWS_PER_STATEMENT) {
        const rows = Array.from({ length: Math.min(ROWS_PER_STATEMENT, end - start) }, (_, i) => agentRow(start + i, now, profile));
        await trx.insertInto('agents').values(rows).execute();
      }
    });
  }
}
