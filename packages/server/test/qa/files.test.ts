import { chmodSync, existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';

/**
 * QA: the SQLite files hold password-equivalent material (token and secret hashes, sealed
 * keys) and the audit log. In a data directory that someone created world-readable (mkdir
 * .mandate under a 022 umask), the files themselves must still be private.
 */
describe('QA: SQLite store files are private to the server user', () => {
  it('creates mandate.db and its WAL files with mode 0600 even in a 0755 data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mandate-qa-files-'));
    chmodSync(dataDir, 0o755);
    const server = await startTestServer({ location: { dataDir, databaseUrl: undefined } });
    try {
      await server.api('POST', '/v1/operators', { email: 'files@example.com', roles: ['auditor'] });
      for (const name of ['mandate.db', 'mandate.db-wal', 'mandate.db-shm', 'admin-token', 'master-key']) {
        const path = join(dataDir, name);
        if (!existsSync(path)) continue;
        expect(statSync(path).mode & 0o077, `${name} is readable by others`).toBe(0);
      }
      expect(existsSync(join(dataDir, 'mandate.db'))).toBe(true);
      expect(existsSync(join(dataDir, 'mandate.db-wal'))).toBe(true);
    } finally {
      await server.stop();
    }
  });
});
