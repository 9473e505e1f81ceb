import type { AuditLog } from '../audit/index.js';
import type { Actor } from '../audit/index.js';
import { hashSecret, verifySecret } from '../crypto/index.js';
import { isoTime, type Clock } from '../shared/clock.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { randomId, randomSecret } from '../shared/ids.js';
import type { Db } from '../storage/index.js';
import { uniquely } from '../storage/index.js';
import type { ResourceServerRow } from './tables.js';
import { oauthTables } from './tables.js';

/** A registered API: the audience its tokens carry, the scopes it accepts. */
export interface ResourceServer {
  id: string;
  name: string;
  audience: string;
  scopes: string[];
  clientId: string;
  createdAt: string;
  /** The policy package its decisions evaluate (bound by an admin); null: the server's. */
  policyPackage: string | null;
}

export interface NewResourceServer {
  audience: string;
  scopes: string[];
  name: string;
  policyPackage?: string | null | undefined;
}

/** A Rego package path (`a.b.c`), as `package` in a module names it. */
const PACKAGE_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const MAX_PACKAGE = 200;

/** A package to bind, checked; null unbinds. */
function packageToBind(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (value.length > MAX_PACKAGE || !PACKAGE_PATH.test(value)) {
    throw new ValidationError(`policy_package must be a Rego package path such as 'payments.authz' (at most ${MAX_PACKAGE} characters)`, { field: 'policy_package' });
  }
  return value;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** How long a cached audience lookup is trusted before the database is asked again (other replicas' changes). */
const CACHE_MS = 5_000;

function toResourceServer(row: ResourceServerRow): ResourceServer {
  return {
    id: row.id,
    name: row.name,
    audience: row.audience,
    scopes: JSON.parse(row.scopes) as string[],
    clientId: row.client_id,
    createdAt: row.created_at,
    policyPackage: row.policy_package ?? null,
  };
}

/** RFC 8707 §2: a resource indicator is an absolute URI without a fragment. */
export function isResourceIndicator(value: string): boolean {
  if (value.includes('#')) return false;
  try {
    return new URL(value).protocol.length > 1;
  } catch {
    return false;
  }
}

/** An audience compared loosely: scheme and host case-insensitive, default port and trailing slashes dropped. */
function looseAudience(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`;
  } catch {
    return value;
  }
}

/**
 * Resource servers (RFC 8707 audiences). Each gets client credentials for introspection and
 * the revocation feed. Lookups by audience are on the token hot path, so they are cached
 * briefly; a miss always asks the database.
 */
export class ResourceServers {
  private readonly byAudience = new Map<string, { server: ResourceServer; at: number }>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    /**
     * Mandate's own audience (the issuer). /v1 accepts tokens with this `aud`, so an API
     * registered under it would receive agents' /v1 tokens (and could replay them at Mandate)
     * and could introspect every one of them: refused, in any spelling.
     */
    private readonly reservedAudience?: string,
  ) {}

  async create(input: NewResourceServer, actor: Actor): Promise<{ server: ResourceServer; clientSecret: string }> {
    if (!isResourceIndicator(input.audience)) throw new ValidationError('audience must be an absolute URI without a fragment (RFC 8707)', { field: 'audience' });
    if (this.reservedAudience !== undefined && looseAudience(input.audience) === looseAudience(this.reservedAudience)) {
      throw new ValidationError("audience is Mandate's own (the issuer): tokens for it are /v1 tokens; register the API under its own URI", { field: 'audience' });
    }
    const bad = input.scopes.find((s) => !SCOPE_TOKEN.test(s));
    if (bad !== undefined) throw new ValidationError(`scope '${bad}' has characters RFC 6749 §3.3 does not allow`, { field: 'scopes' });
    const policyPackage = packageToBind(input.policyPackage);
    const secret = randomSecret();
    const row: ResourceServerRow = {
      id: randomId('rs', 9),
      name: input.name,
      audience: input.audience,
      scopes: JSON.stringify([...new Set(input.scopes)]),
      client_id: randomId('rsc', 12),
      secret_hash: hashSecret(secret),
      created_at: isoTime(this.clock.now()),
      policy_package: policyPackage,
    };
    const server = await this.audit.withEntry(async (trx) => {
      await uniquely(() => oauthTables(trx).insertInto('oauth_resource_servers').values(row).execute(), `a resource server for audience '${row.audience}' exists`, { audience: row.audience });
      return {
        result: toResourceServer(row),
        events: [
          { type: 'oauth.resource_server.created', actor, subject: row.id, action: 'create', outcome: 'success', details: { audience: row.audience, scopes: JSON.parse(row.scopes), client_id: row.client_id, policy_package: policyPackage } },
        ],
      };
    });
    return { server, clientSecret: secret };
  }

  async list(): Promise<ResourceServer[]> {
    const rows = await oauthTables(this.db).selectFrom('oauth_resource_servers').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toResourceServer);
  }

  async get(id: string): Promise<ResourceServer> {
    const row = await oauthTables(this.db).selectFrom('oauth_resource_servers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('resource server', id);
    return toResourceServer(row);
  }

  async delete(id: string, actor: Actor): Promise<void> {
    const server = await this.get(id);
    await this.audit.withEntry(async (trx) => {
      await oauthTables(trx).deleteFrom('oauth_resource_servers').where('id', '=', id).execute();
      return { result: null, events: [{ type: 'oauth.resource_server.deleted', actor, subject: id, action: 'delete', outcome: 'success', details: { audience: server.audience } }] };
    });
    this.byAudience.delete(server.audience);
  }

  /**
   * Binds a policy package to the resource server (null unbinds: the server's package again).
   * Its next `POST /v1/authorize` evaluates it; audited `oauth.resource_server.package_bound`
   * with the package before and after. The caller checks the admin's permissions.
   */
  async bindPackage(id: string, policyPackage: string | null, actor: Actor): Promise<ResourceServer> {
    const bound = packageToBind(policyPackage);
    const server = await this.audit.withEntry(async (trx) => {
      const row = await oauthTables(trx).selectFrom('oauth_resource_servers').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError('resource server', id);
      await oauthTables(trx).updateTable('oauth_resource_servers').set({ policy_package: bound }).where('id', '=', id).execute();
      const details = { audience: row.audience, policy_package: bound, previous: row.policy_package ?? null };
      return {
        result: toResourceServer({ ...row, policy_package: bound }),
        events: [{ type: 'oauth.resource_server.package_bound', actor, subject: id, action: 'bind_package', outcome: 'success', details }],
      };
    });
    this.byAudience.delete(server.audience);
    return server;
  }

  /** The resource server for an audience, or null when none is registered. */
  async findByAudience(audience: string): Promise<ResourceServer | null> {
    const now = this.clock.now();
    const cached = this.byAudience.get(audience);
    if (cached && now - cached.at < CACHE_MS) return cached.server;
    const row = await oauthTables(this.db).selectFrom('oauth_resource_servers').selectAll().where('audience', '=', audience).executeTakeFirst();
    if (!row) {
      this.byAudience.delete(audience);
      return null;
    }
    const server = toResourceServer(row);
    this.byAudience.set(audience, { server, at: now });
    return server;
  }

  /** Client-secret authentication of a resource server (introspection, revocation feed); null when wrong. */
  async authenticate(clientId: string, secret: string): Promise<ResourceServer | null> {
    const row = await oauthTables(this.db).selectFrom('oauth_resource_servers').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    // Compare against a dummy hash when unknown, so timing does not reveal which client ids exist.
    const ok = verifySecret(secret, row?.secret_hash ?? hashSecret('\u0000unknown'));
    return ok && row ? toResourceServer(row) : null;
  }
}
