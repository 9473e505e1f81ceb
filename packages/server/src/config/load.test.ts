import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './load.js';

describe('loadConfig', () => {
  it('uses the documented defaults and derives the issuer', () => {
    const config = loadConfig({ env: {} });
    expect(config.port).toBe(8700);
    expect(config.host).toBe('127.0.0.1');
    expect(config.issuer).toBe('http://127.0.0.1:8700');
    expect(config.oauth.accessTokenTtlSeconds).toBe(600);
  });

  it('lets flags win over environment, and environment over the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ port: 1111, host: 'file-host', logLevel: 'warn' }));
    const config = loadConfig({ env: { MANDATE_PORT: '2222', MANDATE_CONFIG: file }, flags: { port: 3333 } });
    expect(config.port).toBe(3333);
    expect(config.host).toBe('file-host');
    expect(config.logLevel).toBe('warn');
  });

  it('names the bad key and what is allowed', () => {
    expect(() => loadConfig({ env: { MANDATE_PORT: 'eighty' } })).toThrow(/MANDATE_PORT \(port\) must be an integer/);
    expect(() => loadConfig({ env: { MANDATE_PORT: '70000' } })).toThrow(/port: .*65535/);
    expect(() => loadConfig({ env: { MANDATE_DATABASE_URL: 'mysql://x' } })).toThrow(/databaseUrl/);
    expect(() => loadConfig({ env: {}, flags: { oauth: { accessTokenTtlSeconds: 60 } } })).toThrow(
      /oauth.accessTokenTtlSeconds: must be within 300..900/,
    );
    expect(() => loadConfig({ env: {}, flags: { surprise: 1 } })).toThrow(ConfigError);
  });

  it('reads the master key from MANDATE_MASTER_KEY_FILE, refuses it beside MANDATE_MASTER_KEY, and names an unreadable or empty file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'master-key');
    writeFileSync(file, '  0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n', { mode: 0o600 });
    const config = loadConfig({ env: { MANDATE_MASTER_KEY_FILE: file } });
    expect(config.masterKey).toBe('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    expect(config.masterKeyFile).toBe(file);
    expect(() => loadConfig({ env: { MANDATE_MASTER_KEY_FILE: file, MANDATE_MASTER_KEY: 'x' } })).toThrow(/masterKeyFile: set MANDATE_MASTER_KEY or MANDATE_MASTER_KEY_FILE, not both/);
    expect(() => loadConfig({ env: { MANDATE_MASTER_KEY_FILE: join(dir, 'missing') } })).toThrow(/masterKeyFile: cannot read '.*missing': ENOENT/);
    writeFileSync(join(dir, 'empty'), '\n');
    expect(() => loadConfig({ env: { MANDATE_MASTER_KEY_FILE: join(dir, 'empty') } })).toThrow(/masterKeyFile: '.*empty' is empty/);
  });

  it('takes MANDATE_MIGRATE_ON_START as true or false, and nothing else', () => {
    expect(loadConfig({ env: {} }).migrateOnStart).toBe(true);
    expect(loadConfig({ env: { MANDATE_MIGRATE_ON_START: 'false' } }).migrateOnStart).toBe(false);
    expect(() => loadConfig({ env: { MANDATE_MIGRATE_ON_START: 'no' } })).toThrow(/MANDATE_MIGRATE_ON_START \(migrateOnStart\) must be true or false, got 'no'/);
  });

  it('never echoes the value of an unknown key or of a key named like a credential', () => {
    const refusal = (flags: Record<string, unknown>) => {
      try {
        loadConfig({ env: {}, flags });
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    // A secret written inline where a file was expected: the likeliest unknown key.
    const inline = refusal({ signin: { idps: [{ id: 'corp', name: 'Corp', issuer: 'https://idp.example', clientId: 'c', clientSecret: 'GOCSPX-TOPSECRET', allowedEmailDomains: ['example.com'] }] } });
    expect(inline).toMatch(/signin\.idps\.0\.clientSecret: .*\(got a value that is not shown\)/);
    expect(inline).not.toContain('TOPSECRET');
    expect(refusal({ monitoring: { webhookSecret: 42 } })).not.toContain('42');
    // Ordinary keys still say what they got.
    expect(refusal({ port: 70000 })).toContain('(got 70000)');
  });
});
