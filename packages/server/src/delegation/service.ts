import type { ApprovalService } from '../approvals/index.js';
import type { AuditEvent } from '../audit/index.js';
import type { Foundation } from '../foundation.js';
import type { JobHandle } from '../scheduler/index.js';
import { epochSeconds, isoTime } from '../shared/clock.js';
import { Assertions, type IdentityAssertion } from './assertions.js';
import { parentFromUser, type DelegationParent } from './claims.js';
import { DelegationRefused } from './errors.js';
import { approvalRefusal, delegateStep, type DelegatedGrant, type StepInput } from './exchange.js';
import { TrustedIssuers } from './idps.js';
import { JwksCache } from './jwks.js';
import type { DelegationSettings } from './narrowing.js';
import { insertLink, pruneExpired } from './store.js';
import { linksAround, type DelegationLink } from './links.js';

export interface DelegationServiceOptions extends Pick<Foundation, 'config' | 'store' | 'audit' | 'clock' | 'scheduler'> {
  approvals: ApprovalService;
  /** Fetches IdPs' JWKS; tests may pass their own. */
  fetch?: typeof fetch;
}

/** How often expired chain links and used ID-JAG jtis are dropped. */
const PRUNE_MS = 3_600_000;

/**
 * Delegation chains as the composition root and the token endpoint see them: the trusted
 * identity providers, the verification of users' tokens and ID-JAGs, one delegation step
 * (rules + approval) and the record of every issued link. Plain inputs; no HTTP, no OAuth
 * types (the grants in oauth/grants/ translate).
 */
export class DelegationService {
  readonly idps: TrustedIssuers;
  readonly settings: DelegationSettings;
  private readonly assertions: Assertions;
  private jobs: JobHandle[] = [];

  constructor(private readonly options: DelegationServiceOptions) {
    const { config, store, audit, clock } = options;
    const jwks = new JwksCache(clock, undefined, options.fetch);
    this.idps = new TrustedIssuers(store.db, audit, clock, jwks);
    this.settings = config.delegation;
    this.assertions = new Assertions({ db: store.db, clock, issuers: this.idps, jwks, skewSeconds: config.oauth.clockSkewSeconds, audience: config.issuer.replace(/\/+$/, '') });
  }

  start(): void {
    const { scheduler, store, clock } = this.options;
    this.jobs = [scheduler.every({ name: 'delegation.prune', everyMs: PRUNE_MS, singleton: true, run: () => pruneExpired(store.db, epochSeconds(clock.now())) })];
  }

  stop(): void {
    for (const job of this.jobs.splice(0)) job.cancel();
  }

  /** The live chains `agentId` takes part in, every link of each (links.ts). */
  linksAround(agentId: string, options: { chains?: number; limit?: number } = {}): Promise<DelegationLink[]> {
    return linksAround(this.options.store.db, agentId, this.options.clock.now(), options.chains, options.limit);
  }

  /** A user's token from a trusted IdP as the root of a chain (throws DelegationRefused). */
  async userParent(token: string): Promise<DelegationParent> {
    return parentFromUser(await this.assertions.userToken(token));
  }

  /** An ID-JAG for `clientId`, verified and spent (throws DelegationRefused). */
  async redeemAssertion(assertion: string, clientId: string): Promise<{ parent: DelegationParent; assertion: IdentityAssertion }> {
    const verified = await this.assertions.identityAssertion(assertion, clientId);
    return { parent: parentFromUser(verified), assertion: verified };
  }

  /** One delegation step: rules, approval beyond the approval depth (throws DelegationRefused). */
  delegate(input: StepInput): Promise<DelegatedGrant> {
    return delegateStep(this.options.approvals, this.settings, input);
  }

  /**
   * Records a signed delegated token in its chain with its issuance entry (`issued`), in one
   * transaction, before the token leaves. A deep step's approval is spent in that same
   * transaction (approvals' `consume`, the link and entry alongside): should any of it fail, the
   * token is not handed out and the approval stays approved for the retry. Throws
   * DelegationRefused if the approval was spent or expired since the step was admitted.
   */
  async record(grant: DelegatedGrant, token: { jti: string; exp: number; agentId: string; audience: string; grantType: string }, issued: AuditEvent): Promise<void> {
    const link = {
      jti: token.jti,
      chain_id: grant.claim.chain_id,
      parent_jti: grant.parentJti,
      root_subject: grant.subject,
      root_issuer: grant.claim.root.iss,
      agent_id: token.agentId,
      depth: grant.claim.depth,
      scopes: grant.scopes.join(' '),
      audience: token.audience,
      exp: token.exp,
      grant_type: token.grantType,
      created_at: isoTime(this.options.clock.now()),
    };
    const { approval } = grant;
    if (!approval) {
      await this.options.audit.withEntry(async (trx) => {
        await insertLink(trx, link);
        return { result: null, events: [issued] };
      });
      return;
    }
    const spent = await this.options.approvals.consume(approval.id, approval.bound, approval.actor, async (_id, trx) => {
      await insertLink(trx, link);
      return [issued];
    });
    if (!spent.ok) throw new DelegationRefused(approvalRefusal(approval.id, spent));
  }
}
