import type { ApiClient } from '../api/client.js';

/** A lease as the server shows it (`/v1/leases`). */
export interface LeaseInfo {
  lease_id: string;
  path: string;
  status: 'active' | 'revoking' | 'revoked';
  issued_at: string;
  expires_at: string;
  max_expires_at: string;
  ttl: number;
}

export interface CredentialOptions {
  /** Requested lifetime in seconds (default: the role's, 60 s unless configured). */
  ttl?: number;
  /** End the credentials with this task (`POST /v1/tasks`). */
  taskId?: string;
}

/**
 * Database credentials under a lease: use `username`/`password` until `expiresAt`; `renew()`
 * extends the lease (never past the role's max TTL: the answer says how far it went) and
 * `revoke()` ends it now. After expiry the server drops the role; ask for new credentials.
 */
export class DatabaseCredentials {
  expiresAt: Date;

  constructor(
    private readonly client: ApiClient,
    readonly connection: string,
    readonly role: string,
    readonly username: string,
    readonly password: string,
    readonly leaseId: string,
    readonly ttl: number,
    expiresAt: string,
  ) {
    this.expiresAt = new Date(expiresAt);
  }

  /** Extends the lease by `incrementSeconds` from now (default: the original ttl); returns the new expiry. */
  async renew(incrementSeconds: number = this.ttl): Promise<Date> {
    const lease = await this.client.request<LeaseInfo>('POST', `/v1/leases/${encodeURIComponent(this.leaseId)}/renew`, { increment: incrementSeconds });
    this.expiresAt = new Date(lease.expires_at);
    return this.expiresAt;
  }

  async revoke(): Promise<void> {
    await this.client.request<LeaseInfo>('POST', `/v1/leases/${encodeURIComponent(this.leaseId)}/revoke`);
  }

  /** Milliseconds left by `now` (the client's clock). */
  remainingMs(now: number = this.client.clock.now()): number {
    return this.expiresAt.getTime() - now;
  }
}

/** `mandate.db`: dynamic database credentials as an agent asks for them. */
export class DatabaseApi {
  constructor(private readonly client: ApiClient) {}

  /** Fresh credentials for `role` on `connection` (`POST /v1/db/{name}/creds/{role}`). */
  async credentials(connection: string, role: string, options: CredentialOptions = {}): Promise<DatabaseCredentials> {
    const body: Record<string, unknown> = {};
    if (options.ttl !== undefined) body.ttl = options.ttl;
    if (options.taskId !== undefined) body.task_id = options.taskId;
    const issued = await this.client.request<{ username: string; password: string; lease_id: string; ttl: number; expires_at: string }>(
      'POST',
      `/v1/db/${encodeURIComponent(connection)}/creds/${encodeURIComponent(role)}`,
      body,
    );
    return new DatabaseCredentials(this.client, connection, role, issued.username, issued.password, issued.lease_id, issued.ttl, issued.expires_at);
  }

  /** This agent's live leases. */
  async leases(): Promise<LeaseInfo[]> {
    return (await this.client.request<{ items: LeaseInfo[] }>('GET', '/v1/leases')).items;
  }
}

/** `mandate.tasks`: per-task credentials (pass the id as `taskId` when asking for credentials). */
export class TasksApi {
  constructor(private readonly client: ApiClient) {}

  open(options: { ttlSeconds?: number; description?: string } = {}): Promise<{ id: string; expires_at: string; status: string }> {
    const body: Record<string, unknown> = {};
    if (options.ttlSeconds !== undefined) body.ttl_seconds = options.ttlSeconds;
    if (options.description !== undefined) body.description = options.description;
    return this.client.request('POST', '/v1/tasks', body);
  }

  complete(id: string): Promise<{ id: string; status: string; revoked: { kind: string; id: string }[] }> {
    return this.client.request('POST', `/v1/tasks/${encodeURIComponent(id)}/complete`);
  }
}
