import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../config/defaults.js';
import { ADMIN_TOKEN_FILE } from '../config/files.js';

/** Where and as whom the client verbs connect: the global flags, each with its variable. */
export interface ConnectionOptions {
  url?: string;
  token?: string;
  dataDir?: string;
}

/**
 * Where to connect to a server listening on `host`: a wildcard listen address (every interface)
 * is reached on this machine's loopback, and an IPv6 literal goes in brackets.
 */
function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** --url, MANDATE_URL, else the address a local `mandate server` listens on (MANDATE_HOST/PORT). */
export function serverUrl(options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = options.url || env.MANDATE_URL;
  if (explicit) return explicit.replace(/\/$/, '');
  return `http://${connectHost(env.MANDATE_HOST || DEFAULTS.host)}:${env.MANDATE_PORT || String(DEFAULTS.port)}`;
}

/** --token, MANDATE_TOKEN, else the bootstrap admin token in the data directory (none if unreadable). */
export function operatorToken(options: ConnectionOptions): string | undefined {
  const explicit = options.token ?? process.env.MANDATE_TOKEN;
  if (explicit) return explicit;
  const dir = options.dataDir ?? process.env.MANDATE_DATA_DIR ?? DEFAULTS.dataDir;
  try {
    return readFileSync(join(dir, ADMIN_TOKEN_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** What to tell someone who has no token, wherever a verb finds none. */
export const NO_TOKEN_HINT = 'pass --token, set MANDATE_TOKEN, or run where the data directory has admin-token';
