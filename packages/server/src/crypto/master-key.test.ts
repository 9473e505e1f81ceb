import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MasterKeyError, resolveMasterKey } from './master-key.js';

describe('resolveMasterKey', () => {
  it('names the key file when the file, not MANDATE_MASTER_KEY, holds a bad key', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mandate-mk-'));
    writeFileSync(join(dataDir, 'master-key'), 'garbage\n');
    let caught: unknown;
    try {
      resolveMasterKey(undefined, dataDir);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MasterKeyError);
    expect((caught as Error).message).toContain(join(dataDir, 'master-key'));
    expect((caught as Error).message).not.toMatch(/^MANDATE_MASTER_KEY/);
  });

  it('names MANDATE_MASTER_KEY when the configured key is bad', () => {
    expect(() => resolveMasterKey('short', mkdtempSync(join(tmpdir(), 'mandate-mk-')))).toThrow(/^MANDATE_MASTER_KEY must be 32 bytes/);
  });

  it('names the MANDATE_MASTER_KEY_FILE file when the key read from it is bad', () => {
    expect(() => resolveMasterKey('short', mkdtempSync(join(tmpdir(), 'mandate-mk-')), '/run/secrets/mandate_master_key')).toThrow(
      "the master key file '/run/secrets/mandate_master_key' (MANDATE_MASTER_KEY_FILE) does not hold a valid key",
    );
  });
});
