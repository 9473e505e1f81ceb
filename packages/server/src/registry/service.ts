import { sql, type ExpressionBuilder } from 'kysely';
import type { AuditLog } from '../audit/log.js';
import type { Actor, AuditEvent } from '../audit/types.js';
import { isoTime, type Clock } from '../shared/clock.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { Store, Tx } from '../storage/database.js';
import type { RegistryTables as Tables } from './tables.js';
import { uniquely } from '../storage/errors.js';
import { matchesClientSecret, newClientSecret } from './credentials.js';
import { agentIdPrefix, isAgentId, nextAgentId } from './ids.js';
import { assertTransition, isEditable, LIFECYCLE_ACTIONS, type AgentStatus, type LifecycleAction } from './lifecycle.js';
import {
  checkClassification,
  checkEnvironment,
  checkId,
  checkJwks,
  checkMetadata,
  checkOptionalText,
  checkOwner,
  checkScopes,
  checkText,
  checkTlsSubjectDn,
  checkTokenTtl,
  checkTools,
  FIELD_LIMITS,
  type TtlRange,
} from './rules.js';
import type { AgentRow } from './tables.js';
import type {
  AccessScope,
  Agent,
  AgentFilter,
  AgentPage,
  AgentPatch,
  MUTABLE_FIELDS,
  NewAgent,
  PageRequest,
  RegisteredAgent,
  RotatedSecret,
  StatusChange,
  StatusChangeListener,
  StatusChangeTxListener,
} from './types.js';
import { registryTables } from './tables.js';

const DAY_MS = 86_400_000;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** Generated ids can collide with a concurrent registration; try the next number this often. */
const ID_ATTEMPTS = 5;
/** First key of the two-key advisory lock space reserved for id generation ('REGI'). */
const ID_LOCK_NAMESPACE = 0x52454749;

export interface RegistrySettings {
  reviewIntervalDays: number;
  secretRotationOverlapSeconds: number;
  /** Allowed per-agent access token lifetimes (config oauth.accessTokenTtlMin/MaxSeconds). */
  tokenTtl: TtlRange;
}

export interface RegistryOptions {
  store: Store;
  audit: AuditLog;
  clock: Clock;
  settings: RegistrySettings;
  /** Where failures of after-commit status-change listeners are reported (they never undo the change). */
  onListenerError?: (error: unknown, change: StatusChange) => void;
}

/** The stored fields that a registration or patch sets, already validated: the agent's mutable fields. */
type AgentFields = Pick<Agent, (typeof MUTABLE_FIELDS)[number]>;

const FIELD_COLUMNS: { [K in keyof AgentFields]: { column: keyof AgentRow; wire: string; encode: (v: AgentFields[K]) => unknown } } = {
  name: { column: 'name', wire: 'name', encode: (v) => v },
  purpose: { column: 'purpose', wire: 'purpose', encode: (v) => v },
  owner: { column: 'owner', wire: 'owner', encode: (v) => v },
  scopes: { column: 'scopes', wire: 'scopes', encode: (v) => JSON.stringify(v) },
  tools: { column: 'tools', wire: 'tools', encode: (v) => JSON.stringify(v) },
  dataClassification: { column: 'data_classification', wire: 'data_classification', encode: (v) => v },
  environment: { column: 'environment', wire: 'environment', encode: (v) => v },
  tokenTtlSeconds: { column: 'token_ttl_seconds', wire: 'token_ttl_seconds', encode: (v) => v },
  jwks: { column: 'jwks', wire: 'jwks', encode: (v) => (v ? JSON.stringify(v) : null) },
  tlsClientAuthSubjectDn: { column: 'tls_client_auth_subject_dn', wire: 'tls_client_auth_subject_dn', encode: (v) => v },
  metadata: { column: 'metadata', wire: 'metadata', encode: (v) => JSON.stringify(v) },
};

/** What the audit log shows of a field's value: key ids instead of whole key sets. */
function auditValue(field: keyof AgentFields, value: unknown): unknown {
  if (field === 'jwks') return value ? { kids: (value as NonNullable<Agent['jwks']>).keys.map((k) => k.kid ?? null) } : null;
  return value;
}

function actorLabel(actor: Actor): string {
  return `${actor.kind}:${actor.id}`;
}

function encodeCursor(row: Pick<AgentRow, 'created_at' | 'id'>): string {
  return Buffer.from(JSON.stringify([row.created_at, row.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Only what encodeCursor writes: a stored ISO time and an agent id. Anything else never
    // reaches the query (a NUL, say, is an error in PostgreSQL, not an empty page).
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      const [createdAt, id] = parsed as [string, string];
      const ms = Date.parse(createdAt);
      if (!Number.isNaN(ms) && isoTime(ms) === createdAt && isAgentId(id)) return [createdAt, id];
    }
  } catch {
    /* fall through */
  }
  throw new ValidationError('cursor is not valid: pass next_cursor from a previous page unchanged', { field: 'cursor' });
}

/** Escapes LIKE wildcards so user text matches literally (ESCAPE '\'). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The agent registry: records, lifecycle, reviews and OAuth client credentials. Every
 * change and its audit entry commit in one transaction. Status changes are announced twice:
 *
 * | hook | runs | use for |
 * |---|---|---|
 * | `onStatusChangeInTransaction` | inside the transition's transaction | durable consequences (revocation marks, feed events): all or nothing with the change |
 * | `onStatusChange` | after commit | in-memory work (cache eviction, waking long-polls); a failure never undoes the change |
 */
export class RegistryService {
  private readonly listeners = new Set<StatusChangeListener>();
  private readonly txListeners = new Set<StatusChangeTxListener>();

  constructor(private readonly options: RegistryOptions) {}

  private get db() {
    return this.options.store.db;
  }

  private now(): number {
    return this.options.clock.now();
  }

  /** Row → domain object, with the review fields computed at `now`. */
  toAgent(row: AgentRow, now = this.now()): Agent {
    const basis = row.last_reviewed_at ?? row.created_at;
    const dueMs = Date.parse(basis) + this.options.settings.reviewIntervalDays * DAY_MS;
    return {
      id: row.id,
      clientId: row.client_id,
      name: row.name,
      purpose: row.purpose,
      owner: row.owner,
      scopes: JSON.parse(row.scopes) as string[],
      tools: JSON.parse(row.tools) as string[],
      dataClassification: row.data_classification as Agent['dataClassification'],
      environment: row.environment,
      status: row.status as AgentStatus,
      tokenTtlSeconds: row.token_ttl_seconds === null ? null : Number(row.token_ttl_seconds),
      jwks: row.jwks ? (JSON.parse(row.jwks) as Agent['jwks']) : null,
      tlsClientAuthSubjectDn: row.tls_client_auth_subject_dn,
      metadata: JSON.parse(row.metadata) as Record<string, string>,
      createdAt: row.created_at,
      createdBy: row.created_by,
      updatedAt: row.updated_at,
      statusChangedAt: row.status_changed_at,
      statusChangedBy: row.status_changed_by,
      statusReason: row.status_reason,
      lastReview: row.last_reviewed_at ? { at: row.last_reviewed_at, by: row.last_reviewed_by ?? 'unknown', notes: row.last_review_notes } : null,
      reviewDueAt: isoTime(dueMs),
      reviewOverdue: row.status !== 'decommissioned' && now > dueMs,
      clientSecretIssuedAt: row.client_secret_issued_at,
      previousSecretExpiresAt: row.previous_secret_hash && row.previous_secret_expires_at && isoTime(now) < row.previous_secret_expires_at ? row.previous_secret_expires_at : null,
    };
  }

  // ---- reads ---------------------------------------------------------------------------

  /** The agent, or null when no agent has that id. */
  async find(id: string): Promise<Agent | null> {
    const row = await registryTables(this.db).selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toAgent(row) : null;
  }

  /** The agent; NotFoundError (404) when unknown, ForbiddenError (403) outside `access`. */
  async get(id: string, access: AccessScope = {}): Promise<Agent> {
    const agent = await this.find(id);
    if (!agent) throw new NotFoundError('agent', id);
    this.checkAccess(agent.owner, id, access);
    return agent;
  }

  /** For the OAuth context: the agent registered under this client id, or null. */
  async getByClientId(clientId: string): Promise<Agent | null> {
    const row = await registryTables(this.db).selectFrom('agents').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    return row ? this.toAgent(row) : null;
  }

  async list(filter: AgentFilter = {}, page: PageRequest = {}, access: AccessScope = {}): Promise<AgentPage> {
    const now = this.now();
    const limit = Math.min(Math.max(page.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    const cutoff = isoTime(now - this.options.settings.reviewIntervalDays * DAY_MS);
    const dialect = this.options.store.dialect;
    let query = registryTables(this.db).selectFrom('agents').selectAll();
    if (access.owner !== undefined) query = query.where('owner', '=', access.owner);
    if (filter.status && filter.status.length > 0) query = query.where('status', 'in', filter.status);
    if (filter.owner !== undefined) query = query.where('owner', '=', filter.owner.toLowerCase());
    if (filter.environment !== undefined) query = query.where('environment', '=', filter.environment);
    if (filter.scope !== undefined) {
      // Scopes cannot contain '"' or '\', so a scope's JSON form is exactly '"' + scope + '"'.
      const needle = JSON.stringify(filter.scope);
      query = query.where(dialect === 'postgres' ? sql<boolean>`strpos(scopes, ${needle}) > 0` : sql<boolean>`instr(scopes, ${needle}) > 0`);
    }
    if (filter.reviewOverdue !== undefined) {
      const basis = sql<string>`coalesce(last_reviewed_at, created_at)`;
      query = filter.reviewOverdue
        ? query.where('status', '!=', 'decommissioned').where(sql<boolean>`${basis} < ${cutoff}`)
        : query.where((eb) => eb.or([eb('status', '=', 'decommissioned'), eb(basis, '>=', cutoff)]));
    }
    if (filter.q !== undefined && filter.q.length > 0) {
      const pattern = `%${likeLiteral(filter.q.toLowerCase())}%`;
      query = query.where((eb: ExpressionBuilder<Tables, 'agents'>) =>
        eb.or(['id', 'name', 'purpose'].map((column) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`)),
      );
    }
    if (page.cursor) {
      const [createdAt, id] = decodeCursor(page.cursor);
      query = query.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
    }
    const rows = await query.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items: items.map((row) => this.toAgent(row, now)), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  // ---- registration ----------------------------------------------------------------------

  private normalizeNew(input: NewAgent): AgentFields {
    return {
      name: checkText('name', input.name, FIELD_LIMITS.name),
      purpose: checkText('purpose', input.purpose, FIELD_LIMITS.purpose),
      owner: checkOwner(input.owner),
      scopes: checkScopes(input.scopes),
      tools: checkTools(input.tools),
      dataClassification: checkClassification(input.dataClassification),
      environment: checkEnvironment(input.environment),
      tokenTtlSeconds: checkTokenTtl(input.tokenTtlSeconds, this.options.settings.tokenTtl),
      jwks: checkJwks(input.jwks),
      tlsClientAuthSubjectDn: checkTlsSubjectDn(input.tlsClientAuthSubjectDn),
      metadata: checkMetadata(input.metadata),
    };
  }

  /**
   * Registers an agent and issues its client secret (returned once, stored as a hash). The
   * id is generated from name and environment unless given; a duplicate given id is 409.
   */
  async register(input: NewAgent, actor: Actor, access: AccessScope = {}): Promise<RegisteredAgent> {
    const fields = this.normalizeNew(input);
    const explicitId = input.id === undefined ? undefined : checkId(input.id);
    if (access.owner !== undefined && fields.owner !== access.owner) {
      throw new ForbiddenError(`an owner may only register agents it owns: set owner to ${access.owner}`, { field: 'owner' });
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.insert(fields, explicitId, actor);
      } catch (error) {
        // A generated id raced with another registration: take the next number.
        if (error instanceof ConflictError && explicitId === undefined && attempt < ID_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  private async insert(fields: AgentFields, explicitId: string | undefined, actor: Actor): Promise<RegisteredAgent> {
    const { secret, hash } = newClientSecret();
    return this.options.audit.withEntry(async (trx) => {
      const now = this.now();
      const at = isoTime(now);
      const id = explicitId ?? (await this.generateId(trx, fields));
      const row: AgentRow = {
        id,
        client_id: id,
        name: fields.name,
        purpose: fields.purpose,
        owner: fields.owner,
        scopes: JSON.stringify(fields.scopes),
        tools: JSON.stringify(fields.tools),
        data_classification: fields.dataClassification,
        environment: fields.environment,
        status: 'active',
        token_ttl_seconds: fields.tokenTtlSeconds,
        jwks: fields.jwks ? JSON.stringify(fields.jwks) : null,
        tls_client_auth_subject_dn: fields.tlsClientAuthSubjectDn,
        metadata: JSON.stringify(fields.metadata),
        client_secret_hash: hash,
        client_secret_issued_at: at,
        previous_secret_hash: null,
        previous_secret_expires_at: null,
        created_at: at,
        created_by: actorLabel(actor),
        updated_at: at,
        status_changed_at: at,
        status_changed_by: actorLabel(actor),
        status_reason: null,
        last_reviewed_at: null,
        last_reviewed_by: null,
        last_review_notes: null,
      };
      await uniquely(() => registryTables(trx).insertInto('agents').values(row).execute(), `an agent with id '${id}' already exists`, { id });
      const details: Record<string, unknown> = {};
      for (const field of Object.keys(FIELD_COLUMNS) as Array<keyof AgentFields>) details[FIELD_COLUMNS[field].wire] = auditValue(field, fields[field]);
      details.client_id = id;
      const agent = this.toAgent(row, now);
      return {
        result: { agent, clientId: id, clientSecret: secret },
        events: [{ type: 'agent.registered', actor, subject: id, agentId: id, action: 'register', outcome: 'success', details }],
      };
    });
  }

  private async generateId(trx: Tx, fields: AgentFields): Promise<string> {
    const prefix = agentIdPrefix(fields.name, fields.environment);
    if (this.options.store.dialect === 'postgres') {
      // Registrations with the same prefix take turns (until commit), so each reads the ids the
      // previous one committed instead of racing for the same number. SQLite has one writer anyway.
      await sql`select pg_advisory_xact_lock(${ID_LOCK_NAMESPACE}, hashtext(${prefix}))`.execute(trx);
    }
    // The prefix holds only [a-z0-9-], so it has no LIKE wildcards to escape.
    const existing = await registryTables(trx).selectFrom('agents').select('id').where('id', 'like', `${prefix}%`).execute();
    return nextAgentId(
      prefix,
      existing.map((r) => r.id),
    );
  }

  // ---- changes ---------------------------------------------------------------------------

  private checkAccess(owner: string, id: string, access: AccessScope): void {
    if (access.owner !== undefined && owner !== access.owner) {
      throw new ForbiddenError(`agent '${id}' belongs to another owner; an owner manages only its own agents`, { id });
    }
  }

  /** Reads the row for a change, locked on PostgreSQL so concurrent changes apply one after another. */
  private async lockRow(trx: Tx, id: string, access: AccessScope): Promise<AgentRow> {
    let query = registryTables(trx).selectFrom('agents').selectAll().where('id', '=', id);
    if (this.options.store.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) throw new NotFoundError('agent', id);
    this.checkAccess(row.owner, id, access);
    return row;
  }

  /**
   * Changes mutable fields. A patch that changes nothing writes nothing (and no audit entry);
   * a decommissioned agent is frozen (409).
   */
  async update(id: string, patch: AgentPatch, actor: Actor, access: AccessScope = {}): Promise<Agent> {
    const next: Partial<AgentFields> = {};
    if (patch.name !== undefined) next.name = checkText('name', patch.name, FIELD_LIMITS.name);
    if (patch.purpose !== undefined) next.purpose = checkText('purpose', patch.purpose, FIELD_LIMITS.purpose);
    if (patch.owner !== undefined) next.owner = checkOwner(patch.owner);
    if (patch.scopes !== undefined) next.scopes = checkScopes(patch.scopes);
    if (patch.tools !== undefined) next.tools = checkTools(patch.tools);
    if (patch.dataClassification !== undefined) next.dataClassification = checkClassification(patch.dataClassification);
    if (patch.environment !== undefined) next.environment = checkEnvironment(patch.environment);
    if (patch.tokenTtlSeconds !== undefined) next.tokenTtlSeconds = checkTokenTtl(patch.tokenTtlSeconds, this.options.settings.tokenTtl);
    if (patch.jwks !== undefined) next.jwks = checkJwks(patch.jwks);
    if (patch.tlsClientAuthSubjectDn !== undefined) next.tlsClientAuthSubjectDn = checkTlsSubjectDn(patch.tlsClientAuthSubjectDn);
    if (patch.metadata !== undefined) next.metadata = checkMetadata(patch.metadata);
    if (Object.keys(next).length === 0) throw new ValidationError('nothing to change: give at least one mutable field');
    if (access.owner !== undefined && next.owner !== undefined && next.owner !== access.owner) {
      throw new ForbiddenError('an owner cannot hand its agent to another owner; ask an admin', { field: 'owner' });
    }
    return this.options.audit.withEntry(async (trx) => {
      const row = await this.lockRow(trx, id, access);
      if (!isEditable(row.status as AgentStatus)) throw new ConflictError(`agent '${id}' is ${row.status}; its record can no longer change`, { status: row.status });
      const now = this.now();
      const current = this.toAgent(row, now);
      const set: Record<string, unknown> = {};
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      for (const field of Object.keys(next) as Array<keyof AgentFields>) {
        const spec = FIELD_COLUMNS[field] as { column: keyof AgentRow; wire: string; encode: (v: unknown) => unknown };
        const encoded = spec.encode(next[field]);
        if (encoded === row[spec.column]) continue;
        set[spec.column] = encoded;
        before[spec.wire] = auditValue(field, current[field]);
        after[spec.wire] = auditValue(field, next[field]);
      }
      if (Object.keys(set).length === 0) return { result: current, events: [] };
      set.updated_at = isoTime(now);
      await registryTables(trx).updateTable('agents').set(set as Partial<AgentRow>).where('id', '=', id).execute();
      const updated = this.toAgent({ ...row, ...(set as Partial<AgentRow>) }, now);
      return {
        result: updated,
        events: [
          { type: 'agent.updated', actor, subject: id, agentId: id, action: 'update', outcome: 'success', details: { changed: Object.keys(after), before, after } },
        ],
      };
    });
  }

  /**
   * Moves an agent through its lifecycle (lifecycle.ts). Decommissioning also drops the
   * client secrets; in-transaction listeners revoke what other contexts issued, in the same
   * commit; after-commit listeners then drop in-memory state. 409 on an illegal move.
   */
  async transition(id: string, action: LifecycleAction, actor: Actor, reason?: string | null, access: AccessScope = {}): Promise<Agent> {
    const spec = LIFECYCLE_ACTIONS[action];
    if (!spec) throw new ValidationError(`unknown lifecycle action '${String(action)}'`);
    const why = checkOptionalText('reason', reason, FIELD_LIMITS.reason.maxLength);
    let change: StatusChange | null = null;
    const agent = await this.options.audit.withEntry(async (trx) => {
      const row = await this.lockRow(trx, id, access);
      const from = row.status as AgentStatus;
      assertTransition(from, spec.to);
      const now = this.now();
      const at = isoTime(now);
      const set: Partial<AgentRow> = { status: spec.to, status_changed_at: at, status_changed_by: actorLabel(actor), status_reason: why, updated_at: at };
      if (spec.to === 'decommissioned') {
        Object.assign(set, { client_secret_hash: null, client_secret_issued_at: null, previous_secret_hash: null, previous_secret_expires_at: null });
      }
      await registryTables(trx).updateTable('agents').set(set).where('id', '=', id).where('status', '=', from).execute();
      const committed: StatusChange = { agentId: id, clientId: row.client_id, from, to: spec.to, action, actor, reason: why, at };
      const event: AuditEvent = { type: spec.event, actor, subject: id, agentId: id, action, outcome: 'success', details: { from, to: spec.to, reason: why } };
      // Lock order in this transaction: the agent row (above), then whatever the hooks lock
      // (OAuth: the revocation feed head), then the audit head (withEntry, last).
      const events = [event, ...(await this.notifyInTransaction(trx, committed))];
      change = committed;
      return { result: this.toAgent({ ...row, ...set }, now), events };
    });
    if (change) await this.notify(change);
    return agent;
  }

  suspend(id: string, actor: Actor, reason?: string | null, access?: AccessScope): Promise<Agent> {
    return this.transition(id, 'suspend', actor, reason, access);
  }

  resume(id: string, actor: Actor, reason?: string | null, access?: AccessScope): Promise<Agent> {
    return this.transition(id, 'resume', actor, reason, access);
  }

  deprecate(id: string, actor: Actor, reason?: string | null, access?: AccessScope): Promise<Agent> {
    return this.transition(id, 'deprecate', actor, reason, access);
  }

  decommission(id: string, actor: Actor, reason?: string | null, access?: AccessScope): Promise<Agent> {
    return this.transition(id, 'decommission', actor, reason, access);
  }

  /** Records a review (when, by whom, notes); the next one falls due registry.reviewIntervalDays later. */
  async review(id: string, notes: string | null | undefined, actor: Actor, access: AccessScope = {}): Promise<Agent> {
    const text = checkOptionalText('notes', notes, FIELD_LIMITS.reviewNotes.maxLength);
    return this.options.audit.withEntry(async (trx) => {
      const row = await this.lockRow(trx, id, access);
      if (row.status === 'decommissioned') throw new ConflictError(`agent '${id}' is decommissioned; there is nothing left to review`, { status: row.status });
      const now = this.now();
      const at = isoTime(now);
      const set: Partial<AgentRow> = { last_reviewed_at: at, last_reviewed_by: actorLabel(actor), last_review_notes: text, updated_at: at };
      await registryTables(trx).updateTable('agents').set(set).where('id', '=', id).execute();
      const agent = this.toAgent({ ...row, ...set }, now);
      return {
        result: agent,
        events: [
          {
            type: 'agent.reviewed',
            actor,
            subject: id,
            agentId: id,
            action: 'review',
            outcome: 'success',
            details: { notes: text, previous_review_at: row.last_reviewed_at, next_review_due_at: agent.reviewDueAt },
          },
        ],
      };
    });
  }

  /**
   * Issues a new client secret (returned once). The replaced secret keeps working for
   * registry.secretRotationOverlapSeconds so running agents can switch without downtime.
   */
  async rotateSecret(id: string, actor: Actor, access: AccessScope = {}): Promise<RotatedSecret> {
    const { secret, hash } = newClientSecret();
    return this.options.audit.withEntry(async (trx) => {
      const row = await this.lockRow(trx, id, access);
      if (row.status === 'decommissioned') throw new ConflictError(`agent '${id}' is decommissioned and holds no credentials`, { status: row.status });
      const now = this.now();
      const at = isoTime(now);
      const overlapMs = this.options.settings.secretRotationOverlapSeconds * 1000;
      const keepPrevious = overlapMs > 0 && row.client_secret_hash !== null;
      const set: Partial<AgentRow> = {
        client_secret_hash: hash,
        client_secret_issued_at: at,
        previous_secret_hash: keepPrevious ? row.client_secret_hash : null,
        previous_secret_expires_at: keepPrevious ? isoTime(now + overlapMs) : null,
        updated_at: at,
      };
      await registryTables(trx).updateTable('agents').set(set).where('id', '=', id).execute();
      const agent = this.toAgent({ ...row, ...set }, now);
      return {
        result: { agent, clientId: row.client_id, clientSecret: secret, previousSecretExpiresAt: set.previous_secret_expires_at ?? null },
        events: [
          {
            type: 'agent.secret_rotated',
            actor,
            subject: id,
            agentId: id,
            action: 'rotate-secret',
            outcome: 'success',
            details: { previous_secret_expires_at: set.previous_secret_expires_at ?? null },
          },
        ],
      };
    });
  }

  // ---- for the OAuth context ----------------------------------------------------------------

  /**
   * Client-secret authentication: the agent when `secret` matches its current secret or its
   * unexpired previous one, else null. Runs the same comparisons whether or not the client
   * exists. It does not judge status: callers check `mayObtainCredentials(agent.status)`
   * (decommissioned agents have no secrets left, so they never authenticate).
   */
  async authenticateClientSecret(clientId: string, secret: string, now: number = this.now()): Promise<Agent | null> {
    const row = await registryTables(this.db).selectFrom('agents').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    const stored = row ? { currentHash: row.client_secret_hash, previousHash: row.previous_secret_hash, previousExpiresAt: row.previous_secret_expires_at } : null;
    const ok = matchesClientSecret(secret, stored, isoTime(now));
    return ok && row ? this.toAgent(row, now) : null;
  }

  /** Subscribes to committed status changes; returns the unsubscribe function. */
  onStatusChange(listener: StatusChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Subscribes to status changes inside their transaction (types.ts StatusChangeTxListener):
   * what the listener writes and the audit events it returns commit with the change, and a
   * throw rolls the change back. Returns the unsubscribe function.
   */
  onStatusChangeInTransaction(listener: StatusChangeTxListener): () => void {
    this.txListeners.add(listener);
    return () => this.txListeners.delete(listener);
  }

  /** Runs the in-transaction listeners in subscription order; their errors propagate (rollback). */
  private async notifyInTransaction(trx: Tx, change: StatusChange): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for (const listener of [...this.txListeners]) events.push(...((await listener(trx, change)) ?? []));
    return events;
  }

  private async notify(change: StatusChange): Promise<void> {
    for (const listener of [...this.listeners]) {
      try {
        await listener(change);
      } catch (error) {
        this.options.onListenerError?.(error, change);
      }
    }
  }
}
