import type { ApprovalService } from '../approvals/service.js';
import type { AuditLog } from '../audit/log.js';
import type { Config } from '../config/schema.js';
import type { OAuthService } from '../oauth/service.js';
import type { RegistryService } from '../registry/service.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../storage/database.js';
import { DecisionPoint } from './decision-point.js';
import { DecisionReplay, type DecisionLog } from './replay.js';
import { PolicyService } from './service.js';
import { sharedRead } from './shared-read.js';
import { TokenSubjects } from './subjects.js';

export interface PolicySetup {
  policies: PolicyService;
  decisions: DecisionPoint;
  replay: DecisionReplay;
}

/** Builds the policy context for the runtime: stored policies (default bundle on first start), the decision point and replay. */
export async function createPolicy(deps: {
  config: Config;
  store: Store;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  oauth: OAuthService;
  registry: RegistryService;
  approvals: ApprovalService;
  /** The logged decisions replay reads (the audit log's reader). */
  decisionLog: DecisionLog;
}): Promise<PolicySetup> {
  const { config, store, audit, clock, logger, oauth, registry, approvals } = deps;
  const policies = new PolicyService({ store, audit, clock, logger, settings: config.policy });
  await policies.start();
  // Compiled once: every decision waits for a read of the head made after it began, shared
  // with the decisions that began in the same event-loop turn (shared-read.ts).
  const headQuery = store.db.selectFrom('oauth_revocation_head').select('seq').where('id', '=', 1).compile();
  const revocationHead = sharedRead(async () => Number((await store.db.executeQuery(headQuery)).rows[0]?.seq ?? 0));
  const subjects = new TokenSubjects({
    verifier: oauth.verifier,
    revocations: oauth.revocations,
    revocationHead,
    agentByClientId: (clientId) => registry.getByClientId(clientId),
    clock,
    skewSeconds: config.oauth.clockSkewSeconds,
  });
  registry.onStatusChange((change) => subjects.forgetAgent(change.clientId));
  const decisions = new DecisionPoint({ policies, subjects, approvals, audit, store, clock, logger });
  const replay = new DecisionReplay({ policies, log: deps.decisionLog, clock });
  return { policies, decisions, replay };
}
