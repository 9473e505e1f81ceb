import { NO_TOKEN_HINT, operatorToken, serverUrl, type ConnectionOptions } from './connection.js';
import { send, type HttpResponse } from './http.js';

/** Exit codes of every CLI verb: 0 success, 1 refused or failed, 2 bad usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * A refused, failed or incomplete outcome, and the one way a verb sets the exit code: it throws
 * this (after printing what it has, as text or --json, when there is an answer to show) and
 * `runCli` prints the message and returns `exitCode`. No verb sets process.exitCode.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * The one message every verb gives when no answer comes back (refused, unknown host, reset,
 * bad URL): where it tried, the reason's code, and how to point the CLI elsewhere.
 */
export function unreachable(base: string, error: unknown): CliError {
  const cause = error as { code?: unknown; message?: unknown };
  const reason = typeof cause.code === 'string' ? cause.code : String(cause.message ?? error);
  return new CliError(`cannot reach the Mandate server at ${base}: ${reason} (is it running? set --url or MANDATE_URL)`);
}

export interface GlobalOptions extends ConnectionOptions {
  json?: boolean;
}

/** A refusal the server answered (4xx/5xx), with its status and parsed body for verbs that show more of it. */
export class ApiError extends CliError {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClient {
  request<T = unknown>(method: string, path: string, body?: unknown, init?: { contentType?: string }): Promise<T>;
  /**
   * As `request`, but a successful answer's body comes back as the server's text, unparsed: the
   * data API's numbers are exact (docs/policies.md), and JSON.parse would round them.
   */
  requestText(method: string, path: string, body?: unknown, init?: { contentType?: string }): Promise<string>;
  /** A GET whose (successful) body is streamed to the caller, e.g. a JSON-lines export. */
  stream(path: string): Promise<AsyncIterable<Uint8Array>>;
}

/** The admin API over HTTP, turning error bodies into CliErrors with the server's message. */
export function createClient(options: GlobalOptions): ApiClient {
  const base = serverUrl(options);
  const token = operatorToken(options);
  const client: ApiClient = {
    async request<T>(method: string, path: string, body?: unknown, init: { contentType?: string } = {}): Promise<T> {
      const text = await client.requestText(method, path, body, init);
      if (!text) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        return text as T;
      }
    },
    async requestText(method: string, path: string, body?: unknown, init: { contentType?: string } = {}): Promise<string> {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      let payload: string | undefined;
      if (body !== undefined) {
        headers['content-type'] = init.contentType ?? 'application/json';
        payload = typeof body === 'string' && init.contentType ? body : JSON.stringify(body);
      }
      let response: HttpResponse;
      try {
        response = await send(`${base}${path}`, { method, headers, body: payload });
      } catch (error) {
        throw unreachable(base, error);
      }
      const text = await response.text();
      if (!response.ok) {
        let parsed: unknown = undefined;
        if (text) {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
        }
        const err = parsed as { error?: string; message?: string; error_description?: string } | undefined;
        const message = err?.message ?? err?.error_description ?? (typeof parsed === 'string' ? parsed : response.statusText);
        const hint = response.status === 401 && !token ? ` (no token: ${NO_TOKEN_HINT})` : '';
        throw new ApiError(`${response.status} ${err?.error ?? ''}: ${message}${hint}`.replace(/ :/, ':'), response.status, parsed);
      }
      return text;
    },
    async stream(path: string): Promise<AsyncIterable<Uint8Array>> {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      let response: HttpResponse;
      try {
        response = await send(`${base}${path}`, { headers });
      } catch (error) {
        throw unreachable(base, error);
      }
      if (!response.ok) {
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
  return client;
}
