import type { Actor, AuditLog } from '../audit/index.js';
import { hashSecret, verifySecret } from '../crypto/index.js';
import { isoTime, type Clock } from '../shared/clock.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { randomId, randomSecret } from '../shared/ids.js';
import type { Db } from '../storage/index.js';
import { oauthTables, type ClientRow } from './tables.js';

/** A pre-registered client of people (authorization code + PKCE): public, or confidential with a secret. */
export interface RegisteredClient {
  clientId: string;
  name: string;
  type: 'public' | 'confidential';
  redirectUris: string[];
  clientUri: string | null;
  logoUri: string | null;
  createdAt: string;
}

export interface NewClient {
  name: string;
  type: 'public' | 'confidential';
  redirectUris: string[];
  clientUri?: string | undefined;
  logoUri?: string | undefined;
}

const MAX_REDIRECT_URIS = 20;

function toClient(row: ClientRow): RegisteredClient {
  return {
    clientId: row.client_id,
    name: row.name,
    type: row.type,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    clientUri: row.client_uri,
    logoUri: row.logo_uri,
    createdAt: row.created_at,
  };
}

/**
 * OAuth 2.1 §2.3.1 / RFC 8252: a redirect URI is absolute, without a fragment, https — or http
 * on a loopback host (native apps), or a private-use scheme with a dot (`com.example.app:/cb`).
 */
export function checkRedirectUri(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`redirect URI '${value}' is not an absolute URI`, { field: 'redirect_uris' });
  }
  if (url.hash !== '' || value.includes('#')) throw new ValidationError(`redirect URI '${value}' must not have a fragment`, { field: 'redirect_uris' });
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  const ok = url.protocol === 'https:' || (url.protocol === 'http:' && loopback) || (/^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol));
  if (!ok) throw new ValidationError(`redirect URI '${value}' must be https, http on a loopback host, or a private-use scheme`, { field: 'redirect_uris' });
}

/**
 * Pre-registered people's clients (`POST/GET/DELETE /v1/clients`). A confidential client's
 * secret is shown once and stored as its SHA-256; every change is audited.
 */
export class Clients {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async create(input: NewClient, actor: Actor): Promise<{ client: RegisteredClient; clientSecret: string | null }> {
    if (input.redirectUris.length === 0 || input.redirectUris.length > MAX_REDIRECT_URIS) {
      throw new ValidationError(`redirect_uris must list 1 to ${MAX_REDIRECT_URIS} URIs`, { field: 'redirect_uris' });
    }
    for (const uri of input.redirectUris) checkRedirectUri(uri);
    for (const [field, value] of [['client_uri', input.clientUri], ['logo_uri', input.logoUri]] as const) {
      if (value !== undefined && !/^https?:\/\/[^\s]+$/.test(value)) throw new ValidationError(`${field} must be an http(s) URL`, { field });
    }
    const secret = input.type === 'confidential' ? randomSecret() : null;
    const row: ClientRow = {
      client_id: randomId('mcl', 12),
      name: input.name,
      type: input.type,
      secret_hash: secret === null ? null : hashSecret(secret),
      redirect_uris: JSON.stringify([...new Set(input.redirectUris)]),
      client_uri: input.clientUri ?? null,
      logo_uri: input.logoUri ?? null,
      created_at: isoTime(this.clock.now()),
    };
    const client = await this.audit.withEntry(async (trx) => {
      await oauthTables(trx).insertInto('oauth_clients').values(row).execute();
      return {
        result: toClient(row),
        events: [{ type: 'oauth.client.created', actor, subject: row.client_id, action: 'create', outcome: 'success', details: { name: row.name, type: row.type, redirect_uris: JSON.parse(row.redirect_uris) } }],
      };
    });
    return { client, clientSecret: secret };
  }

  async list(): Promise<RegisteredClient[]> {
    const rows = await oauthTables(this.db).selectFrom('oauth_clients').selectAll().orderBy('created_at').orderBy('client_id').execute();
    return rows.map(toClient);
  }

  async find(clientId: string): Promise<RegisteredClient | null> {
    const row = await oauthTables(this.db).selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    return row ? toClient(row) : null;
  }

  async get(clientId: string): Promise<RegisteredClient> {
    const client = await this.find(clientId);
    if (!client) throw new NotFoundError('client', clientId);
    return client;
  }

  async delete(clientId: string, actor: Actor): Promise<void> {
    const client = await this.get(clientId);
    await this.audit.withEntry(async (trx) => {
      await oauthTables(trx).deleteFrom('oauth_clients').where('client_id', '=', clientId).execute();
      return { result: null, events: [{ type: 'oauth.client.deleted', actor, subject: clientId, action: 'delete', outcome: 'success', details: { name: client.name } }] };
    });
  }

  /** A confidential client's secret, checked in constant time (a dummy hash when the client has none). */
  async verifySecret(clientId: string, secret: string): Promise<boolean> {
    const row = await oauthTables(this.db).selectFrom('oauth_clients').select('secret_hash').where('client_id', '=', clientId).executeTakeFirst();
    const ok = verifySecret(secret, row?.secret_hash ?? hashSecret('\u0000none'));
    return ok && row?.secret_hash != null;
  }
}
