import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../config/defaults.js';
import { ADMIN_TOKEN_FILE } from '../runtime.js';

/** Exit codes of every CLI verb (CONTRACT.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A refused or failed call; `main` prints the message and exits 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface GlobalOptions {
  url?: string;
  token?: string;
  dataDir?: string;
  json?: boolean;
}

export interface ApiClient {
  request<T = unknown>(method: string, path: string, body?: unknown, init?: { contentType?: string }): Promise<T>;
  /** A GET whose (successful) body is streamed to the caller, e.g. a JSON-lines export. */
  stream(path: string): Promise<ReadableStream<Uint8Array>>;
}

function defaultUrl(): string {
  const port = process.env.MANDATE_PORT ?? String(DEFAULTS.port);
  const host = process.env.MANDATE_HOST ?? DEFAULTS.host;
  return `http://${host}:${port}`;
}

/** Token from --token, MANDATE_TOKEN, or the admin-token file in the data directory. */
function resolveToken(options: GlobalOptions): string | undefined {
  const explicit = options.token ?? process.env.MANDATE_TOKEN;
  if (explicit) return explicit;
  const dir = options.dataDir ?? process.env.MANDATE_DATA_DIR ?? DEFAULTS.dataDir;
  try {
    return readFileSync(join(dir, ADMIN_TOKEN_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The admin API over HTTP, turning error bodies into CliErrors with the server's message. */
export function createClient(options: GlobalOptions): ApiClient {
  const base = (options.url ?? process.env.MANDATE_URL ?? defaultUrl()).replace(/\/$/, '');
  const token = resolveToken(options);
  return {
    async request<T>(method: string, path: string, body?: unknown, init: { contentType?: string } = {}): Promise<T> {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      let payload: string | undefined;
      if (body !== undefined) {
        headers['content-type'] = init.contentType ?? 'application/json';
        payload = typeof body === 'string' && init.contentType ? body : JSON.stringify(body);
      }
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, { method, headers, body: payload });
      } catch (error) {
        throw new CliError(`cannot reach Mandate at ${base}: ${(error as Error).cause ? String((error as Error & { cause: Error }).cause.message) : (error as Error).message}`);
      }
      const text = await response.text();
      let parsed: unknown = undefined;
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      if (!response.ok) {
        const err = parsed as { error?: string; message?: string; error_description?: string } | undefined;
        const message = err?.message ?? err?.error_description ?? (typeof parsed === 'string' ? parsed : response.statusText);
        const hint = response.status === 401 && !token ? ' (no token: pass --token, set MANDATE_TOKEN, or run where the data directory has admin-token)' : '';
        throw new CliError(`${response.status} ${err?.error ?? ''}: ${message}${hint}`.replace(/ :/, ':'));
      }
      return parsed as T;
    },
    async stream(path: string): Promise<ReadableStream<Uint8Array>> {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, { headers });
      } catch (error) {
        throw new CliError(`cannot reach Mandate at ${base}: ${(error as Error).message}`);
      }
      if (!response.ok || !response.body) {
        const text = await response.text();
        let message = text || response.statusText;
        try {
          const err = JSON.parse(text) as { error?: string; message?: string };
          message = `${err.error ?? ''}: ${err.message ?? text}`;
        } catch {
          /* not JSON: keep the text */
        }
        throw new CliError(`${response.status} ${message}`);
      }
      return response.body;
    },
  };
}
