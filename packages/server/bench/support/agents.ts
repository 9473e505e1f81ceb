/**
 * Filler agents for the benchmarks that need a big registry: valid agents registered in bulk
 * through the registry's face (`registerMany`: every agent validated, 10,000 per transaction, one
 * audit entry per batch), skipping what single registration does per agent (hash a fresh secret,
 * one audit entry each).
 */
import { randomBytes } from 'node:crypto';
import { AuditLog } from '../../src/audit/index.js';
import { DEFAULTS } from '../../src/config/defaults.js';
import { BULK_REGISTER_MAX, RegistryService, type BulkAgent } from '../../src/registry/index.js';
import { systemClock } from '../../src/shared/clock.js';
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

function fillerAgent(n: number, profile: FillerProfile): BulkAgent {
  const id = fillerAgentId(n);
  return {
    id,
    name: `Bench agent ${n}`,
    purpose: profile.purpose,
    owner: profile.owner,
    scopes: profile.scopes,
    tools: profile.tools,
    dataClassification: profile.dataClassification,
    environment: profile.environment,
    clientSecretHash: profile.secretHash,
  };
}

/** Registers filler agents `from` … `to - 1` through the registry's bulk registration, one batch (transaction) at a time. */
export async function insertAgents(store: Store, from: number, to: number, profile: FillerProfile = LOOKUP_ONLY): Promise<void> {
  // The batches' audit entries hold no secret, so the HMAC key of this short-lived log is arbitrary.
  const audit = new AuditLog({ store, clock: systemClock, hmacKey: randomBytes(32) });
  const registry = new RegistryService({
    store,
    audit,
    clock: systemClock,
    settings: {
      reviewIntervalDays: DEFAULTS.registry.reviewIntervalDays,
      secretRotationOverlapSeconds: DEFAULTS.registry.secretRotationOverlapSeconds,
      tokenTtl: { min: DEFAULTS.oauth.accessTokenTtlMinSeconds, max: DEFAULTS.oauth.accessTokenTtlMaxSeconds },
    },
  });
  const actor = { kind: 'system' as const, id: 'bench' };
  for (let chunk = from; chunk < to; chunk += BULK_REGISTER_MAX) {
    const end = Math.min(chunk + BULK_REGISTER_MAX, to);
    await registry.registerMany(Array.from({ length: end - chunk }, (_, i) => fillerAgent(chunk + i, profile)), actor);
  }
  await audit.close();
}
