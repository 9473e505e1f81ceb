import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Dialect, type Store } from '../../src/storage/database.js';
import { MIGRATIONS } from '../../src/migrations.js';
import { createTestDatabase, pgServerUrl } from './pg.js';

/** The store backends every contract suite runs against. PostgreSQL drops out when it is off. */
export function storeKinds(): Dialect[] {
  return pgServerUrl() === null ? ['sqlite'] : ['sqlite', 'postgres'];
}

export interface TestStoreLocation {
  dataDir: string;
  databaseUrl: string | undefined;
}

/** A new, empty location: a temp data dir, plus a fresh database when the kind is postgres. */
export async function newStoreLocation(kind: Dialect): Promise<TestStoreLocation> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mandate-test-'));
  return { dataDir, databaseUrl: kind === 'postgres' ? await createTestDatabase() : undefined };
}

export async function openTestStore(kind: Dialect): Promise<Store> {
  const location = await newStoreLocation(kind);
  return openStore({ ...location, migrations: MIGRATIONS });
}
