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
});
