import type { ApprovalService } from '../approvals/index.js';
import type { AuditLog } from '../audit/index.js';
import type { Config } from '../config/schema.js';
import type { TokenSubjects } from '../identity/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { ChangeNotifier, Store } from '../storage/index.js';
import { DecisionPoint } from './decision-point.js';
import { DecisionReplay, type DecisionLog } from './replay.js';
import { PolicySandbox } from './sandbox.js';
import { PolicyService } from './service.js';

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
  /** Agents behind tokens: identity's one cached subject resolver, shared with /v1. */
  subjects: TokenSubjects;
  approvals: ApprovalService;
  /** The logged decisions replay reads (the audit log's reader). */
  decisionLog: DecisionLog;
  /** Change notices between replicas (policy revisions). */
  notifier?: ChangeNotifier;
  /** Registers work for shutdown (the sandbox's workers are terminated). */
  onClose?: (task: () => Promise<void>) => void;
}): Promise<PolicySetup> {
  const { config, store, audit, clock, logger, subjects, approvals } = deps;
  // What operators submit (replay candidates, data API evaluations) runs off the event loop.
  const sandbox = new PolicySandbox(config.policy);
  deps.onClose?.(() => sandbox.close());
  const policies = new PolicyService({ store, audit, clock, logger, settings: config.policy, sandbox, notifier: deps.notifier });
  await policies.start();
  const decisions = new DecisionPoint({ settings: config.policy, policies, subjects, approvals, audit, clock, logger });
  const replay = new DecisionReplay({ policies, log: deps.decisionLog, clock, sandbox });
  return { policies, decisions, replay };
}
