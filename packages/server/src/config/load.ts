import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { DEFAULTS } from './defaults.js';
import { ConfigSchema, type Config } from './schema.js';

/** Raised when the configuration is invalid; the message names the key and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Partialish = { [key: string]: unknown };

/** Keys whose values never appear in an error message. */
const SECRET_KEYS: readonly string[] = ['databaseUrl', 'masterKey', 'approvals.webhookSecret', 'monitoring.webhookSecret', 'monitoring.metricsToken'];
/** Names that may hold a credential wherever they appear (a secret written inline where a file was expected: `signin.idps[].clientSecret`). */
const SECRET_NAME = /secret|token|password|passphrase|credential|key|url/i;

/**
 * Whether an invalid value may be echoed: not for the known secret keys, nor for any key whose
 * name may hold a credential, nor for an unknown key (a misplaced secret is the likely one).
 */
function showable(key: string, message: string): boolean {
  const name = key.split('.').at(-1) ?? key;
  return !SECRET_KEYS.includes(key) && !SECRET_NAME.test(name) && !/unexpected property/i.test(message);
}

/** The variable naming a JSON config file (`--config` wins over it). */
export const CONFIG_FILE_VARIABLE = 'MANDATE_CONFIG';

/**
 * Environment variables of docs/contract.md, and the config keys they set. The deployment
 * files' test (test/deploy/) checks every variable they set against this list.
 */
export const ENVIRONMENT: ReadonlyArray<readonly [string, string, 'string' | 'number' | 'boolean']> = [
  ['MANDATE_HOST', 'host', 'string'],
  ['MANDATE_PORT', 'port', 'number'],
  ['MANDATE_DATA_DIR', 'dataDir', 'string'],
  ['MANDATE_DATABASE_URL', 'databaseUrl', 'string'],
  ['MANDATE_ISSUER', 'issuer', 'string'],
  ['MANDATE_MASTER_KEY', 'masterKey', 'string'],
  ['MANDATE_MASTER_KEY_FILE', 'masterKeyFile', 'string'],
  ['MANDATE_MIGRATE_ON_START', 'migrateOnStart', 'boolean'],
  ['MANDATE_LOG_LEVEL', 'logLevel', 'string'],
];

function isObject(value: unknown): value is Partialish {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: Partialish, override: Partialish): Partialish {
  const out: Partialish = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    out[key] = isObject(value) && isObject(out[key]) ? deepMerge(out[key] as Partialish, value) : value;
  }
  return out;
}

function fromEnvironment(env: NodeJS.ProcessEnv): Partialish {
  const out: Partialish = {};
  for (const [name, key, kind] of ENVIRONMENT) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (kind === 'number') {
      const parsed = Number(raw);
      if (!Number.isInteger(parsed)) throw new ConfigError(`${name} (${key}) must be an integer, got '${raw}'`);
      out[key] = parsed;
    } else if (kind === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${name} (${key}) must be true or false, got '${raw}'`);
      out[key] = raw === 'true';
    } else {
      out[key] = raw;
    }
  }
  return out;
}

function fromFile(path: string | undefined): Partialish {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config file '${path}' cannot be read: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) throw new Error('top level must be an object');
    return parsed;
  } catch (error) {
    throw new ConfigError(`config file '${path}' is not valid JSON: ${(error as Error).message}`);
  }
}

/** For a choice among fixed values (log level, signing algorithm), the values; else null. */
function describeAllowed(schema: unknown): string | null {
  const choices = (schema as { anyOf?: Array<{ const?: unknown }> }).anyOf;
  if (!choices || choices.length === 0 || !choices.every((c) => c.const !== undefined)) return null;
  return `must be one of: ${choices.map((c) => String(c.const)).join(', ')}`;
}

/**
 * `masterKeyFile` (MANDATE_MASTER_KEY_FILE: a Docker or Kubernetes secret mounted as a file)
 * becomes `masterKey`, so everything after loading has one place to look. Naming both is
 * refused: which one wins would be a guess. The key's format is checked where it is parsed
 * (crypto/master-key.ts), which names the file.
 */
function readMasterKeyFile(merged: Partialish): void {
  const file = merged.masterKeyFile;
  if (typeof file !== 'string' || file === '') return;
  if (merged.masterKey !== undefined) throw new ConfigError('invalid configuration:\n  masterKeyFile: set MANDATE_MASTER_KEY or MANDATE_MASTER_KEY_FILE, not both');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  masterKeyFile: cannot read '${file}': ${(error as Error).message}`);
  }
  if (text.trim() === '') throw new ConfigError(`invalid configuration:\n  masterKeyFile: '${file}' is empty`);
  merged.masterKey = text.trim();
}

export interface LoadOptions {
  /** Values from command-line flags: they win over everything else. */
  flags?: Partialish;
  env?: NodeJS.ProcessEnv;
  /** A JSON config file (also `MANDATE_CONFIG`). */
  configFile?: string;
}

/**
 * Merges defaults < config file < environment < flags, derives the issuer, and validates the
 * whole result at once so a bad value stops the start with a message naming the key.
 */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const merged = [fromFile(options.configFile ?? env[CONFIG_FILE_VARIABLE]), fromEnvironment(env), options.flags ?? {}].reduce(
    deepMerge,
    structuredClone(DEFAULTS) as unknown as Partialish,
  );
  readMasterKeyFile(merged);
  if (merged.issuer === undefined) merged.issuer = `http://${String(merged.host)}:${String(merged.port)}`;
  const errors = [...Value.Errors(ConfigSchema, merged)];
  if (errors.length > 0) {
    const lines = errors.slice(0, 5).map((e) => {
      const key = e.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
      // A database URL may carry a password and a master key is one: name them, never echo them.
      const shown = e.value === undefined ? 'nothing' : showable(key, e.message) ? JSON.stringify(e.value) : 'a value that is not shown';
      return `  ${key}: ${describeAllowed(e.schema) ?? e.message} (got ${shown})`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const config = merged as unknown as Config;
  const { accessTokenTtlSeconds, accessTokenTtlMinSeconds, accessTokenTtlMaxSeconds } = config.oauth;
  if (accessTokenTtlSeconds < accessTokenTtlMinSeconds || accessTokenTtlSeconds > accessTokenTtlMaxSeconds) {
    throw new ConfigError(
      `invalid configuration:\n  oauth.accessTokenTtlSeconds: must be within ${accessTokenTtlMinSeconds}..${accessTokenTtlMaxSeconds} (got ${accessTokenTtlSeconds})`,
    );
  }
  if (config.approvals.webhookUrl && !config.approvals.webhookSecret) {
    // Unsigned approval notifications could be forged; refuse rather than send them.
    throw new ConfigError('invalid configuration:\n  approvals.webhookSecret: required when approvals.webhookUrl is set (at least 16 characters)');
  }
  if (config.monitoring.webhookUrl && !config.monitoring.webhookSecret) {
    throw new ConfigError('invalid configuration:\n  monitoring.webhookSecret: required when monitoring.webhookUrl is set (at least 16 characters)');
  }
  checkIdps(config);
  return config;
}

/**
 * Each upstream IdP must say who may sign in (allowed email domains or a claim rule: nobody is
 * let in by default), name its client secret in one place at most, and have a unique id.
 */
function checkIdps(config: Config): void {
  const seen = new Set<string>();
  config.signin.idps.forEach((idp, index) => {
    const key = `signin.idps.${index}`;
    if (seen.has(idp.id)) throw new ConfigError(`invalid configuration:\n  ${key}.id: '${idp.id}' is used twice`);
    seen.add(idp.id);
    if (!idp.allowedEmailDomains && !idp.requiredClaim) {
      throw new ConfigError(`invalid configuration:\n  ${key}: set allowedEmailDomains or requiredClaim (who may sign in at '${idp.id}'); without one nobody could`);
    }
    if (idp.clientSecretFile && idp.clientSecretEnv) throw new ConfigError(`invalid configuration:\n  ${key}: set clientSecretFile or clientSecretEnv, not both`);
  });
}
