import type { Actor, AuditLog } from '../audit/index.js';
import { isoTime, type Clock } from '../shared/clock.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { randomId } from '../shared/ids.js';
import { uniquely, type Db } from '../storage/index.js';
import type { JwksCache } from './jwks.js';
import { deleteIdp, findIdp, insertIdp, listIdps } from './store.js';
import type { IdpRow } from './tables.js';

/** A trusted identity provider as the API shows it. */
export interface TrustedIssuer {
  id: string;
  name: string;
  issuer: string;
  jwksUri: string;
  audiences: string[];
  userClaim: string;
  createdAt: string;
}

export interface NewTrustedIssuer {
  issuer: string;
  jwks_uri: string;
  audiences: string[];
  user_claim?: string | undefined;
  name?: string | undefined;
}

/** Limits on what an operator may configure (every limit explicit). */
export const IDP_LIMITS = { maxIssuers: 100, maxAudiences: 20, maxText: 2_000 } as const;
/** How long a cached issuer lookup is trusted before the database is asked again (other replicas' changes). */
const CACHE_MS = 5_000;

const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/;

function toIssuer(row: IdpRow): TrustedIssuer {
  return { id: row.id, name: row.name, issuer: row.issuer, jwksUri: row.jwks_uri, audiences: JSON.parse(row.audiences) as string[], userClaim: row.user_claim, createdAt: row.created_at };
}

function httpUrl(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > IDP_LIMITS.maxText) throw new ValidationError(`${field} must be a URL of at most ${IDP_LIMITS.maxText} characters`, { field });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`${field} must be an absolute URL (got '${value}')`, { field });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ValidationError(`${field} must be an http(s) URL`, { field });
  if (url.hash) throw new ValidationError(`${field} must not have a fragment`, { field });
  return value;
}

/**
 * The trusted identity providers (issue 12 item 8): whose users' tokens (token exchange) and
 * identity assertions (ID-JAG) Mandate accepts. Every change is audited in its transaction;
 * lookups by issuer are on the token path, cached briefly.
 */
export class TrustedIssuers {
  private readonly byIssuer = new Map<string, { issuer: TrustedIssuer | null; at: number }>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly jwks: JwksCache,
  ) {}

  async add(input: NewTrustedIssuer, actor: Actor): Promise<TrustedIssuer> {
    const issuer = httpUrl('issuer', input.issuer);
    const jwksUri = httpUrl('jwks_uri', input.jwks_uri);
    if (!Array.isArray(input.audiences) || input.audiences.length === 0 || input.audiences.length > IDP_LIMITS.maxAudiences) {
      throw new ValidationError(`audiences must list 1 to ${IDP_LIMITS.maxAudiences} values (the aud of users' tokens Mandate accepts)`, { field: 'audiences' });
    }
    const bad = input.audiences.find((a) => typeof a !== 'string' || a.length === 0 || a.length > IDP_LIMITS.maxText);
    if (bad !== undefined) throw new ValidationError('each audience must be a non-empty string', { field: 'audiences' });
    const userClaim = input.user_claim ?? 'sub';
    if (!CLAIM_NAME.test(userClaim)) throw new ValidationError('user_claim must be a claim name such as sub or email', { field: 'user_claim' });
    const name = input.name ?? new URL(issuer).host;
    if (name.length > 200) throw new ValidationError('name is longer than 200 characters', { field: 'name' });
    const row: IdpRow = {
      id: randomId('idp', 9),
      issuer,
      jwks_uri: jwksUri,
      audiences: JSON.stringify([...new Set(input.audiences)]),
      user_claim: userClaim,
      name,
      created_at: isoTime(this.clock.now()),
    };
    const created = await this.audit.withEntry(async (trx) => {
      if ((await listIdps(trx)).length >= IDP_LIMITS.maxIssuers) throw new ValidationError(`at most ${IDP_LIMITS.maxIssuers} identity providers may be trusted`, { field: 'issuer' });
      await uniquely(() => insertIdp(trx, row), `identity provider '${issuer}' is already trusted`, { issuer });
      const view = toIssuer(row);
      return {
        result: view,
        events: [{ type: 'delegation.idp.added', actor, subject: row.id, action: 'create', outcome: 'success', details: { issuer, jwks_uri: jwksUri, audiences: view.audiences, user_claim: userClaim } }],
      };
    });
    this.byIssuer.delete(issuer);
    return created;
  }

  async list(): Promise<TrustedIssuer[]> {
    return (await listIdps(this.db)).map(toIssuer);
  }

  async get(id: string): Promise<TrustedIssuer> {
    const row = await findIdp(this.db, { id });
    if (!row) throw new NotFoundError('identity provider', id);
    return toIssuer(row);
  }

  async remove(id: string, actor: Actor): Promise<void> {
    const idp = await this.get(id);
    await this.audit.withEntry(async (trx) => {
      await deleteIdp(trx, id);
      return { result: null, events: [{ type: 'delegation.idp.removed', actor, subject: id, action: 'delete', outcome: 'success', details: { issuer: idp.issuer } }] };
    });
    this.byIssuer.delete(idp.issuer);
    this.jwks.forget(idp.issuer);
  }

  /** The trusted issuer named `issuer`, or null. */
  async find(issuer: string): Promise<TrustedIssuer | null> {
    const now = this.clock.now();
    const cached = this.byIssuer.get(issuer);
    if (cached && now - cached.at < CACHE_MS) return cached.issuer;
    const row = await findIdp(this.db, { issuer });
    const found = row ? toIssuer(row) : null;
    if (this.byIssuer.size >= IDP_LIMITS.maxIssuers * 2) this.byIssuer.clear();
    this.byIssuer.set(issuer, { issuer: found, at: now });
    return found;
  }
}
