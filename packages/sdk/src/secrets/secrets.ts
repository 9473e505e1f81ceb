import type { ApiClient } from '../api/client.js';

/** One version of a secret as the server returns it (`GET /v1/secrets/{path}`). */
export interface Secret {
  path: string;
  version: number;
  data: Record<string, string>;
  created_at: string;
}

/** Path segments are sent as they are; each is URI-encoded so `/` stays the separator. */
const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

/**
 * Reads a secret (the newest version, or `version`). The server decides by policy whether this
 * agent may read it and audits the read; a refusal is an ApiError 403 with the policy's reasons.
 */
export function getSecret(client: ApiClient, path: string, options: { version?: number } = {}): Promise<Secret> {
  const query = options.version === undefined ? '' : `?version=${options.version}`;
  return client.request<Secret>('GET', `/v1/secrets/${encodePath(path)}${query}`);
}

/** `mandate.secrets`: the secret store as an agent sees it. */
export class SecretsApi {
  constructor(private readonly client: ApiClient) {}

  get(path: string, options: { version?: number } = {}): Promise<Secret> {
    return getSecret(this.client, path, options);
  }
}
