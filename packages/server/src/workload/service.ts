import { createHash } from 'node:crypto';
import type { Actor, AuditEvent } from '../audit/index.js';
import type { RevokedCredential } from '../shared/revoked.js';
import type { Foundation } from '../foundation.js';
import { TokenBuckets } from '../oauth/index.js';
import { epochSeconds, isoTime } from '../shared/clock.js';
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError, ServiceUnavailableError, ValidationError } from '../shared/errors.js';
import { CHANGE_TOPICS, type Tx } from '../storage/index.js';
import { openAuthority, type SigningAuthority } from './ca/authority.js';
import { loadUpstreamCa, type UpstreamCa } from './ca/upstream.js';
import { bundlePem, spiffeBundle, type SpiffeBundle } from './bundle.js';
import { revocationLists } from './crl.js';
import { issueSvid, type IssuedSvid } from './issue-svid.js';
import { mintJwtSvid, type IssuedJwtSvid } from './jwt-svid.js';
import { spiffeIdOf } from './spiffe.js';
import { revokeAgentCertificatesIn, revokeCertificates, revokeTaskCertificatesIn, type CertificateRevocation } from './revoke.js';
import { CaRotator } from './rotator.js';
import { checkIssuerUrl, issuerOf, TrustedIssuers, type FederationResult } from './federation/issuers.js';
import { authenticateOwnJwtSvid } from './federation/own-svids.js';
import { checkRules, type MappingRule } from './federation/rules.js';
import { randomId } from '../shared/ids.js';
import { deleteIssuer, findCertificate, findCertificateByThumbprint, findIssuer, insertIssuer, listAuthorities, listIssuers, listCertificates, liveCertificatesOf, revocationHead, revocationsAfter, revokedUnexpired } from './store.js';
import type { CertificateRow, IssuerRow } from './tables.js';

/** What the workload context needs of the registry: an agent's status, and its lifecycle. */
export interface WorkloadAgents {
  find(id: string): Promise<{ id: string; status: string } | null>;
}

export interface WorkloadServiceOptions extends Foundation {
  agents: WorkloadAgents;
}

/** `POST /v1/workload-issuers`: an issuer to trust and how its tokens map to agents. */
export interface NewIssuer {
  issuer: string;
  jwks_uri?: string | undefined;
  /** The `aud` its tokens must carry; default Mandate's issuer URL. */
  audience?: string | undefined;
  rules: MappingRule[];
}

/** One event of the certificate revocation feed (`GET /v1/svids/revocations`). */
export interface CertificateRevocationEvent {
  seq: number;
  serial: string;
  agent_id: string;
  /** When the certificate would have expired: a peer may forget the serial after it. */
  not_after: string;
  revoked_at: string;
}

export interface CertificateRevocationPage {
  events: CertificateRevocationEvent[];
  cursor: number;
  has_more: boolean;
}

/** The scheduler job that moves the CA through its slots. */
export const CA_ROTATION_JOB = 'workload.ca-rotation';
const MAX_PAGE = 1_000;

/**
 * Mandate's workload identity: the internal CA (ca/), the signer of X.509-SVIDs (signer.ts)
 * and the rotator (rotator.ts), as SPIRE splits them. Holds the published CAs in memory
 * (keys unsealed once per load) and reloads them after every rotation step.
 */
export class WorkloadService {
  readonly trustDomain: string;
  /** Mandate's issuer URL as the token endpoint names it (no trailing slash): its JWT-SVIDs' `iss`. */
  private readonly issuer: string;
  private authorities: SigningAuthority[] = [];
  /** The ids and states the held authorities were opened from (reload skips unsealing when unchanged). */
  private authoritiesVersion = '';
  private upstream: UpstreamCa | null = null;
  private rotator: CaRotator | null = null;
  private readonly buckets: TokenBuckets;
  private readonly issuers: TrustedIssuers;
  private readonly issuedListeners = new Set<() => void>();
  /** The tasks context's `checkOpen` (wired by the composition root): a ValidationError naming the problem. */
  private checkTask: ((taskId: string, agentId: string) => Promise<void>) | null = null;

  constructor(private readonly options: WorkloadServiceOptions) {
    this.trustDomain = options.config.workload.trustDomain;
    this.issuer = options.config.issuer.replace(/\/+$/, '');
    this.buckets = new TokenBuckets(options.config.workload.svidsPerMinutePerAgent);
    this.issuers = new TrustedIssuers(options.store.db, options.config.oauth.clockSkewSeconds);
  }

  /** Loads the upstream CA (if configured), makes the first CA on a first start, and schedules rotation. */
  async start(): Promise<void> {
    const settings = this.options.config.workload;
    if (settings.svidTtlSeconds > settings.svidMaxTtlSeconds) throw new Error('config workload.svidTtlSeconds must not exceed workload.svidMaxTtlSeconds');
    this.upstream = await loadUpstreamCa({ certFile: settings.upstreamCaCertFile, keyFile: settings.upstreamCaKeyFile });
    this.rotator = new CaRotator({ audit: this.options.audit, envelope: this.options.envelope, trustDomain: this.trustDomain, caTtlSeconds: settings.caTtlSeconds, upstream: this.upstream });
    await this.maintain();
    this.followOtherReplicas();
    this.options.scheduler.every({ name: CA_ROTATION_JOB, everyMs: settings.rotationCheckSeconds * 1000, singleton: true, run: () => this.maintain() });
  }

  /** One rotation step now (the scheduled job), then a reload: other replicas' steps show up too. */
  async maintain(): Promise<void> {
    await this.rotator!.maintain(this.options.clock.now());
    await this.reloadAndTell();
  }

  /** `mandate ca rotate`: the next CA signs from now on; the old one stays published until its certificates expire. */
  async rotateCa(actor: Actor): Promise<SigningAuthority[]> {
    await this.rotator!.maintain(this.options.clock.now(), true, actor);
    await this.reloadAndTell();
    return this.published();
  }

  /**
   * Reloads, and when the CA set changed, tells the other replicas (topic `ca`) so they sign
   * with the new active CA and publish the new bundle at once; after the rotation's commit, so
   * a lost notice waits for their catch-up (docs/replicas.md).
   */
  private async reloadAndTell(): Promise<void> {
    if (await this.reload()) await this.options.notifier.publish(this.options.store.db, CHANGE_TOPICS.ca);
  }

  /** Follows other replicas' CA steps: their notices, and the catch-up. Called once at start. */
  private followOtherReplicas(): void {
    this.options.notifier.subscribe(CHANGE_TOPICS.ca, { onNotice: () => void this.reload().catch(() => undefined), resync: () => this.reload().then(() => undefined) });
  }

  /** Re-reads the CAs; keys are unsealed again only when the set (ids, states, removal times) changed. Returns whether it did. */
  private async reload(): Promise<boolean> {
    const rows = await listAuthorities(this.options.store.db);
    const version = rows.map((row) => `${row.id}:${row.state}:${row.remove_at ?? ''}`).join(',');
    if (version === this.authoritiesVersion) return false;
    const opened = await Promise.all(rows.map((row) => openAuthority(row, this.options.envelope)));
    this.authorities = opened;
    this.authoritiesVersion = version;
    return true;
  }

  /** Every CA in the bundle: prepared, active and retired ones. */
  published(): SigningAuthority[] {
    return [...this.authorities];
  }

  private active(): SigningAuthority {
    const active = this.authorities.find((a) => a.state === 'active');
    if (!active) throw new ServiceUnavailableError('the workload CA is not ready');
    return active;
  }

  /**
   * Certificates issued with a task id: `check` is the tasks context's `checkOpen` (built
   * after workload, so wired here); the returned hook goes to `tasks.onClose` and revokes them.
   */
  acceptTasks(check: (taskId: string, agentId: string) => Promise<void>): (trx: Tx, task: { id: string }) => Promise<{ events: AuditEvent[]; revoked: RevokedCredential[] }> {
    this.checkTask = check;
    return async (trx, task) => {
      const revocation = await revokeTaskCertificatesIn(trx, task.id, this.options.clock.now(), { kind: 'system', id: 'tasks' });
      return { events: revocation.events, revoked: revocation.serials.map((serial) => ({ kind: 'certificate', id: serial, detail: `issued with task ${task.id}` })) };
    };
  }

  private async checkOpenTask(taskId: string, agentId: string): Promise<void> {
    if (!this.checkTask) throw new ValidationError('task_id is not accepted: this server has no tasks context', { field: 'task_id' });
    await this.checkTask(taskId, agentId);
  }

  /** `POST /v1/svids`: an X.509-SVID for an active agent, from its CSR; with `taskId`, one that ends with that open task of the agent. */
  async issue(agentId: string, csr: unknown, ttlSeconds: number | undefined, taskId?: string): Promise<IssuedSvid> {
    const now = this.options.clock.now();
    const agent = await this.options.agents.find(agentId);
    if (!agent || agent.status !== 'active') throw new ForbiddenError(`agent '${agentId}' is ${agent?.status ?? 'unknown'}; only active agents get certificates`);
    if (taskId !== undefined) await this.checkOpenTask(taskId, agentId);
    const wait = this.buckets.take(agentId, now);
    if (wait > 0) throw new RateLimitedError(wait);
    const settings = this.options.config.workload;
    const issued = await issueSvid(
      { agentId, csr, ttlSeconds, now, taskId },
      this.active(),
      { trustDomain: this.trustDomain, defaultTtlSeconds: settings.svidTtlSeconds, maxTtlSeconds: settings.svidMaxTtlSeconds, csrMaxBytes: settings.csrMaxBytes },
      this.options.audit,
    );
    if (taskId !== undefined) await this.closedMeanwhile(taskId, agentId, issued.serial);
    for (const listener of this.issuedListeners) listener();
    return issued;
  }

  /**
   * The task is checked again once the certificate has committed: a close that committed
   * before the insert (so did not see it) is caught here, the certificate revoked and the
   * request refused; a close after it sees the row (both lock the feed head).
   */
  private async closedMeanwhile(taskId: string, agentId: string, serial: string): Promise<void> {
    try {
      await this.checkOpenTask(taskId, agentId);
    } catch (error) {
      await this.revoke(serial, { kind: 'system', id: 'tasks' }, `task ${taskId} closed`);
      throw error;
    }
  }

  /** Hears of every X.509-SVID issued (the certificates-issued counter of /metrics); returns the unsubscribe. */
  onCertificateIssued(listener: () => void): () => void {
    this.issuedListeners.add(listener);
    return () => this.issuedListeners.delete(listener);
  }

  /** `POST /v1/svids/jwt`: a JWT-SVID for an active agent. */
  async issueJwt(agentId: string, audience: unknown, ttlSeconds: number | undefined): Promise<IssuedJwtSvid> {
    const now = this.options.clock.now();
    const agent = await this.options.agents.find(agentId);
    if (!agent || agent.status !== 'active') throw new ForbiddenError(`agent '${agentId}' is ${agent?.status ?? 'unknown'}; only active agents get certificates`);
    const wait = this.buckets.take(agentId, now);
    if (wait > 0) throw new RateLimitedError(wait);
    const issued = await mintJwtSvid(this.active(), this.issuer, spiffeIdOf(this.trustDomain, agentId), audience, ttlSeconds, now);
    // Group commit (a JWT-SVID changes no state, like an access token), awaited: none leaves unaudited.
    await this.options.audit.enqueue({ type: 'jwt_svid.issued', actor: { kind: 'agent', id: agentId }, agentId, action: 'issue', outcome: 'success', details: { spiffe_id: issued.spiffe_id, audience, expires_at: issued.expires_at } });
    return issued;
  }

  bundlePem(): string {
    return bundlePem(this.authorities);
  }

  /** The SPIFFE bundle; its sequence is the time (seconds) of the latest change to the CA set. */
  spiffeBundle(): SpiffeBundle {
    const changes = this.authorities.flatMap((a) => [a.notBefore, a.activatedAt ?? 0]);
    const refreshHint = Math.max(60, Math.floor(this.options.config.workload.rotationCheckSeconds));
    return spiffeBundle(this.authorities, epochSeconds(Math.max(0, ...changes)), refreshHint);
  }

  /** The CRLs of every published CA (PEM). */
  async crl(): Promise<string> {
    const now = this.options.clock.now();
    const revoked = await revokedUnexpired(this.options.store.db, isoTime(now));
    return revocationLists(
      this.authorities,
      revoked.map((r) => ({ serial: r.serial, revokedAt: Date.parse(r.revoked_at!), authorityId: r.authority_id })),
      now,
      this.options.config.workload.crlTtlSeconds,
    );
  }

  async revocations(after: number, limit: number): Promise<CertificateRevocationPage> {
    if (!Number.isInteger(after) || after < 0) throw new ValidationError('after must be a non-negative integer (the cursor of the previous page)');
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new ValidationError(`limit must be an integer from 1 to ${MAX_PAGE}`);
    const rows = await revocationsAfter(this.options.store.db, after, limit + 1);
    const events = rows.slice(0, limit);
    const cursor = events.length > 0 ? events[events.length - 1]!.seq : Math.min(after, await revocationHead(this.options.store.db));
    return { events, cursor, has_more: rows.length > limit };
  }

  listCertificates(filter: { agentId?: string | undefined; limit: number }): Promise<CertificateRow[]> {
    return listCertificates(this.options.store.db, filter);
  }

  /** The agent's certificates neither expired nor revoked. */
  liveCertificates(agentId: string): Promise<CertificateRow[]> {
    return liveCertificatesOf(this.options.store.db, agentId, isoTime(this.options.clock.now()));
  }

  async certificate(serial: string): Promise<CertificateRow> {
    const row = await findCertificate(this.options.store.db, serial.toLowerCase());
    if (!row) throw new NotFoundError('certificate', serial);
    return row;
  }

  /**
   * The agent a presented client certificate belongs to (RFC 8705 tls_client_auth): an exact
   * certificate Mandate issued (by its DER thumbprint), live now and not revoked; else null.
   * The TLS handshake has already proved that the client holds its key.
   */
  async certificateAgent(der: Buffer, now: number): Promise<string | null> {
    const row = await findCertificateByThumbprint(this.options.store.db, createHash('sha256').update(der).digest('base64url'));
    if (!row || row.revoked_at !== null) return null;
    if (now < Date.parse(row.not_before) || now >= Date.parse(row.not_after)) return null;
    const agent = await this.options.agents.find(row.agent_id);
    return agent?.status === 'active' ? row.agent_id : null;
  }

  /**
   * The port the token endpoint uses for client assertions from trusted workload issuers.
   * Mandate's own issuer is trusted implicitly: its JWT-SVIDs verify against the published CAs.
   */
  federation(): { authenticate(assertion: string, now: number, audiences: readonly string[]): Promise<FederationResult> } {
    return {
      authenticate: (assertion, now, audiences) => {
        if (issuerOf(assertion) !== this.issuer) return this.issuers.authenticate(assertion, now);
        return authenticateOwnJwtSvid(assertion, { issuer: this.issuer, audiences, trustDomain: this.trustDomain, authorities: this.authorities, skewSeconds: this.options.config.oauth.clockSkewSeconds, now });
      },
    };
  }

  /** `mandate workload-issuer add`: trusts an issuer's JWTs, mapped to agents by `rules`. */
  async addIssuer(input: NewIssuer, actor: Actor): Promise<IssuerRow> {
    checkIssuerUrl('issuer', input.issuer);
    if (input.issuer.replace(/\/+$/, '') === this.issuer) throw new ValidationError("issuer: Mandate's own issuer is trusted already (its JWT-SVIDs map to the agent they name)", { field: 'issuer' });
    if (input.jwks_uri !== undefined) checkIssuerUrl('jwks_uri', input.jwks_uri);
    checkRules(input.rules);
    for (const [index, rule] of input.rules.entries()) {
      if (!(await this.options.agents.find(rule.agent_id))) throw new ValidationError(`rules[${index}].agent_id: no agent '${rule.agent_id}'`, { field: `rules[${index}].agent_id` });
    }
    const now = this.options.clock.now();
    const row: IssuerRow = {
      id: randomId('wli'),
      issuer: input.issuer,
      jwks_uri: input.jwks_uri ?? null,
      audience: input.audience ?? this.options.config.issuer,
      rules: JSON.stringify(input.rules),
      created_at: isoTime(now),
    };
    if (await findIssuer(this.options.store.db, row.issuer)) throw new ConflictError(`issuer '${row.issuer}' is already trusted; remove it first`);
    await this.options.audit.withEntry(async (trx) => {
      await insertIssuer(trx, row);
      return { result: undefined, events: [{ type: 'workload.issuer.added', actor, subject: row.id, action: 'add', outcome: 'success', details: { issuer: row.issuer, audience: row.audience, agents: [...new Set(input.rules.map((r) => r.agent_id))] } }] };
    });
    this.issuers.forget(row.issuer);
    return row;
  }

  listIssuers(): Promise<IssuerRow[]> {
    return listIssuers(this.options.store.db);
  }

  async removeIssuer(id: string, actor: Actor): Promise<void> {
    const removed = await this.options.audit.withEntry(async (trx) => {
      const row = await deleteIssuer(trx, id);
      if (!row) throw new NotFoundError('workload issuer', id);
      return { result: row, events: [{ type: 'workload.issuer.removed', actor, subject: id, action: 'remove', outcome: 'success', details: { issuer: row.issuer } }] };
    });
    this.issuers.forget(removed.issuer);
  }

  /** `mandate cert revoke`: revokes one certificate; false when it was already revoked or expired. */
  async revoke(serial: string, actor: Actor, reason: string): Promise<boolean> {
    const row = await this.certificate(serial);
    const now = this.options.clock.now();
    return this.options.audit.withEntry(async (trx) => {
      const { serials, events } = await revokeCertificates(trx, [row], now, actor, reason);
      return { result: serials.length > 0, events };
    });
  }

  /**
   * Revokes every live certificate of an agent inside the caller's transaction and returns the
   * serials with the audit events to append there. For the registry's in-transaction status
   * hook and for "decommission revokes everything" (which lists `serials` in its answer).
   */
  revokeAgentCertificates(trx: Tx, agentId: string, actor: Actor = { kind: 'system', id: 'workload' }, reason = 'agent no longer active'): Promise<CertificateRevocation> {
    return revokeAgentCertificatesIn(trx, agentId, this.options.clock.now(), actor, reason);
  }
}
