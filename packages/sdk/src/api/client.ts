import { systemClock, type Clock } from '../shared/clock.js';
import { ApiError, ResponseError } from '../shared/errors.js';
import { readJson, send, type FetchLike } from '../shared/http.js';
import type { AgentAuthService } from '../agent/auth-service.js';

/** Who calls Mandate's `/v1` API: an agent (its own token, DPoP included) or a fixed bearer token. */
export type ApiCredentials = AgentAuthService | { token: string | (() => string | Promise<string>) };

export interface ApiClientOptions {
  /** Mandate's base URL (the issuer). */
  baseUrl: string;
  credentials: ApiCredentials;
  fetch?: FetchLike;
  clock?: Clock;
}

/**
 * JSON calls to Mandate's `/v1` API. With an AgentAuthService the call goes through its
 * authorized fetch, asking for a token whose audience is Mandate itself (no `resource`), so a
 * DPoP-bound agent sends proofs here too.
 */
export class ApiClient {
  readonly clock: Clock;
  private readonly base: string;
  private readonly fetchImpl: FetchLike;

  constructor(private readonly options: ApiClientOptions) {
    this.base = options.baseUrl.replace(/\/$/, '');
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async request<T>(method: string, path: string, body?: unknown, init: { signal?: AbortSignal } = {}): Promise<T> {
    const url = `${this.base}${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const requestInit: RequestInit = { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(init.signal ? { signal: init.signal } : {}) };
    const credentials = this.options.credentials;
    let response: Response;
    if ('getToken' in credentials) {
      // Mandate's own API is the audience: no resource indicator, the agent's registered scopes.
      response = await credentials.fetch(url, requestInit, { resource: [], scope: [] });
    } else {
      const token = typeof credentials.token === 'function' ? await credentials.token() : credentials.token;
      headers.authorization = `Bearer ${token}`;
      response = await send(this.fetchImpl, url, requestInit);
    }
    const parsed = await readJson(response);
    if (!response.ok) {
      const record = (parsed ?? {}) as Record<string, unknown>;
      const code = typeof record.error === 'string' ? record.error : `http_${response.status}`;
      const message = typeof record.message === 'string' ? record.message : typeof record.error_description === 'string' ? record.error_description : `HTTP ${response.status}`;
      throw new ApiError(code, response.status, `${method} ${path}: ${message}`, record.details);
    }
    if (parsed === undefined || parsed === null || typeof parsed !== 'object') throw new ResponseError(`${method} ${path}: expected a JSON object`, response.status);
    return parsed as T;
  }
}
