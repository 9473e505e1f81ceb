import { join } from 'node:path';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import type { Config } from './config/schema.js';
import { AuditArchiver, AuditKeyring, AuditLog, AuditReader } from './audit/index.js';
import { createApprovals, type ApprovalService } from './approvals/index.js';
import { DelegationService } from './delegation/index.js';
import { Envelope } from './crypto/index.js';
import { auditHmacKey, checkMasterKey, resolveMasterKey } from './crypto/index.js';
import type { Foundation } from './foundation.js';
import { acceptAgentTokens, Authenticator } from './identity/index.js';
import { OperatorService } from './operators/index.js';
import { mayObtainCredentials, RegistryService } from './registry/index.js';
import { ForbiddenError } from './shared/errors.js';
import { OAuthService, OAUTH_METRICS } from './oauth/index.js';
import { createMonitoring, type MonitoringMetrics, type MonitoringService } from './monitoring/index.js';
import type { AuditEntry } from './audit/index.js';
import { createPolicy, type DecisionPoint, type DecisionReplay, type PolicyService } from './policy/index.js';
import { Scheduler } from './scheduler/index.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createLogger, type Logger } from './shared/logger.js';
import { openStore } from './storage/index.js';
import { migrateOnStart } from './migrations.js';
import { SecretStore } from './secrets/index.js';
import { createLeases, type LeaseManager } from './leases/index.js';
import { createDatabases, type DatabaseEngine } from './databases/index.js';
import { createTasks, revokeWithAgentStatus, type TaskService } from './tasks/index.js';
import { revokeOnStatusChange, WorkloadService } from './workload/index.js';
import { createSignin, type SigninService } from './signin/index.js';

import { ADMIN_TOKEN_FILE } from './config/files.js';
import { LeaderSwitch, startReplicas, type Replicas } from './replicas.js';

/**
 * The composition root: builds every context's service from the configuration, in
 * dependency order, and closes them in reverse. Contexts get what they need passed in;
 * none reaches for globals.
 */
export interface Runtime extends Foundation {
  /** The audit checkpoint signing key (public keys: GET /v1/audit/keys). */
  auditKeys: AuditKeyring;
  /** Reads the audit log: query, export, verify, checkpoints, public keys (audit/reader.ts). */
  auditReader: AuditReader;
  /** Retention: moves entries past `audit.retentionDays` into sealed segments (audit/archive.ts). */
  auditArchive: AuditArchiver;
  /** Who a request's caller is: operators, agents, resource servers (identity/). */
  authenticator: Authenticator;
  operators: OperatorService;
  approvals: ApprovalService;
  /** Agents: records, lifecycle, reviews, client credentials (registry/service.ts). */
  registry: RegistryService;
  /** The OAuth authorization server: tokens, keys, introspection, revocation (oauth/index.ts). */
  oauth: OAuthService;
  /** Policies and data documents with revisions, the compiled policy (policy/service.ts). */
  policies: PolicyService;
  /** The policy decision point behind POST /v1/authorize (policy/decision-point.ts). */
  decisions: DecisionPoint;
  /** What-if replay of logged decisions against a candidate policy (policy/replay.ts). */
  decisionReplay: DecisionReplay;
  /** Delegation chains: trusted IdPs, token exchange and ID-JAG rules (delegation/index.ts). */
  delegation: DelegationService;
  /** Alerts, signals and the least-privilege report (monitoring/); fed by the audit log's committed entries. */
  monitoring: MonitoringService;
  /** The Prometheus registry behind GET /metrics; other contexts feed it through its ports (monitoring/metrics.ts). */
  metrics: MonitoringMetrics;

  /** The secret store: versioned key/value secrets, envelope-encrypted (secrets/). */
  secrets: SecretStore;
  /** THE lease manager: every issued credential's expiry, renewal and revocation (leases/). */
  leases: LeaseManager;
  /** Dynamic PostgreSQL credentials (databases/). */
  databases: DatabaseEngine;
  /** Tasks: credentials issued for a task end with it (tasks/). */
  tasks: TaskService;
  /** The internal CA and agents' X.509-SVIDs (workload/index.ts). */
  workload: WorkloadService;
  /** This replica among several on one PostgreSQL: its id, the leader election, the change notifier (replicas.ts). */
  replicas: Replicas;
  /** Browser sessions of operators and people: sign-in, the session cookie, CSRF (signin/). */
  signin: SigninService;
  /** The bootstrap admin token when this start created it (shown once), else null. */
  bootstrapToken: string | null;
  /** Registers cleanup (timers, loops) to run on close, last registered first. */
  onClose(task: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  clock?: Clock;
  logger?: Logger;
}

/**
 * Builds the runtime. When any step fails, what the earlier steps opened (store, timers,
 * loops) is closed before the error goes on, so a failed start ends instead of hanging.
 */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const closers: Array<() => Promise<void> | void> = [];
  try {
    return await assemble(config, options, closers);
  } catch (error) {
    await closeAll(closers, (closeError) => (options.logger ?? createLogger(config.logLevel)).warn({ err: closeError }, 'cleanup after a failed start failed'));
    throw error;
  }
}

async function closeAll(closers: Array<() => Promise<void> | void>, onError: (error: unknown) => void): Promise<void> {
  for (const task of [...closers].reverse()) {
    try {
      await task();
    } catch (error) {
      onError(error);
    }
  }
  closers.length = 0;
}

/** The data directory must exist (keys, SQLite file, admin token); say which and why when it cannot. */
function prepareDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    accessSync(dataDir, constants.W_OK);
  } catch (error) {
    throw new Error(`data directory '${dataDir}' cannot be used: ${(error as Error).message}`);
  }
}

async function assemble(config: Config, options: RuntimeOptions, closers: Array<() => Promise<void> | void>): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);

  prepareDataDir(config.dataDir);
  const master = resolveMasterKey(config.masterKey, config.dataDir, config.masterKeyFile);
  if (master.generatedAt) {
    logger.warn(
      { file: master.generatedAt },
      'generated a master key next to the data it protects; set MANDATE_MASTER_KEY from a secret manager in production',
    );
  }
  const envelope = new Envelope(master.key);
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onBackgroundError: (error) => logger.error({ err: error }, 'database connection error'),
  });
  closers.push(() => store.close());
  // Singleton jobs run while this replica holds the leader lock (always on SQLite): replicas.ts.
  const leader = new LeaderSwitch();
  const scheduler = new Scheduler({ clock, logger, isLeader: leader.isLeader });
  // Stopped before the store closes (closers run last registered first), and again first of all below.
  closers.push(() => scheduler.stop());
  // The key is checked before migrations run, so a wrong key changes nothing at all.
  const tables = await store.db.introspection.getTables();
  if (tables.some((t) => t.name === 'meta')) await checkMasterKey(store.db, envelope, config.dataDir);
  await migrateOnStart(store, config, clock, logger);
  await checkMasterKey(store.db, envelope, config.dataDir);
  const replicas = await startReplicas({ config, store, clock, logger, scheduler }, leader);
  // Closed after the contexts (registered before them) and before the store.
  closers.push(() => replicas.close());
  const { notifier } = replicas;

  const auditKeys = await AuditKeyring.open(store.db, envelope, clock);
  // The monitor is built after the contexts it watches; until then committed entries go nowhere.
  let monitorEntries: (entries: AuditEntry[]) => void = () => {};
  const audit = new AuditLog({
    store,
    clock,
    onAppended: (entries) => monitorEntries(entries),
    hmacKey: await auditHmacKey(store.db, envelope, master.key),
    signer: auditKeys,
    checkpoints: { everyEntries: config.audit.checkpointEveryEntries, intervalSeconds: config.audit.checkpointIntervalSeconds },
    groupCommit: { maxDelayMs: config.audit.groupCommitMaxDelayMs, maxEntries: config.audit.groupCommitMaxEntries },
    compactBaseCacheEntries: config.audit.compactBaseCacheEntries,
    scheduler,
  });
  const auditReader = new AuditReader(store);
  // Queued events are written before the store closes (closers run last registered first).
  closers.push(() => audit.close());
  scheduler.every({
    name: 'audit.checkpoint',
    everyMs: audit.checkpointPeriodMs(),
    singleton: true,
    run: () => audit.checkpointIfDueNow(),
  });
  const auditArchive = new AuditArchiver({
    store,
    clock,
    signer: auditKeys,
    settings: {
      retentionDays: config.audit.retentionDays,
      dir: config.audit.archiveDir ?? join(config.dataDir, 'audit-archive'),
      segmentEntries: config.audit.archiveSegmentEntries,
      runMaxMs: config.audit.archiveRunMaxSeconds * 1000,
    },
  });
  // Without a retention period nothing is ever archived: no job at all (the default).
  if (config.audit.retentionDays !== undefined) {
    scheduler.every({ name: 'audit.archive', everyMs: config.audit.archiveIntervalSeconds * 1000, singleton: true, run: () => auditArchive.run() });
  }
  const authenticator = new Authenticator();
  const operators = new OperatorService(store.db, audit, clock);
  authenticator.register(operators.credentialResolver());
  const registry = new RegistryService({
    store,
    audit,
    clock,
    notifier,
    settings: {
      reviewIntervalDays: config.registry.reviewIntervalDays,
      secretRotationOverlapSeconds: config.registry.secretRotationOverlapSeconds,
      tokenTtl: { min: config.oauth.accessTokenTtlMinSeconds, max: config.oauth.accessTokenTtlMaxSeconds },
    },
    onListenerError: (error, change) => logger.error({ err: error, agent_id: change.agentId, to: change.to }, 'agent status-change listener failed'),
  });

  const foundation: Foundation = { config, clock, logger, store, envelope, audit, scheduler, notifier };
  const workload = new WorkloadService({ ...foundation, agents: registry });
  // tls_client_auth needs the TLS listener: without it no request can carry a client certificate.
  const clientCertificates = config.tls ? { agentFor: (der: Buffer, now: number) => workload.certificateAgent(der, now) } : undefined;
  const oauth = new OAuthService({ ...foundation, registry, identity: authenticator, clientCertificates, federation: workload.federation() });
  await oauth.start();
  closers.push(() => oauth.stop());
  authenticator.registerResourceServers(oauth.resourceServerCredentials());
  // One cached subject resolver for agents' tokens, shared by /v1 and the decision point.
  const agentTokens = acceptAgentTokens({
    authenticator,
    tokens: oauth.agentTokens(),
    proofs: oauth.proofOfPossession(),
    // Registered agents and people's clients (authorization code): both hold Mandate's tokens.
    agents: oauth.tokenHolders(),
    audience: oauth.issuer,
    clock,
    skewSeconds: config.oauth.clockSkewSeconds,
    cacheEntries: config.oauth.verifiedTokenCacheEntries,
  });
  closers.push(() => agentTokens.stop());

  const approvals = createApprovals({
    ...foundation,
    onClose: (task) => closers.push(task),
    agentOwner: async (agentId) => (await registry.find(agentId))?.owner ?? null,
  });

  const delegation = new DelegationService({ ...foundation, approvals });
  delegation.start();
  closers.push(() => delegation.stop());
  oauth.acceptDelegation(delegation);

  const { policies, decisions, replay: decisionReplay } = await createPolicy({ config, store, audit, clock, logger, notifier, subjects: agentTokens.subjects, approvals, decisionLog: auditReader, onClose: (task) => closers.push(task) });

  const { monitoring, metrics, feed: monitorFeed } = createMonitoring({
    config,
    store,
    audit,
    clock,
    logger,
    scheduler,
    decisionLog: auditReader,
    suspendAgent: async (agentId, reason) => {
      await registry.suspend(agentId, { kind: 'system', id: 'monitoring' }, reason);
    },
    isAgent: async (agentId) => (await registry.find(agentId)) !== null,
    isLeader: leader.isLeader,
    onClose: (task) => closers.push(task),
  });
  metrics.adopt(...OAUTH_METRICS, replicas.leaderMetric);
  metrics.readApprovalsPending(() => approvals.countPending());
  registry.onStatusChange((change) => {
    if (change.to === 'decommissioned') monitoring.forgetAgent(change.agentId);
  });
  // One process judges its own entries; with replicas the leader follows everyone's (monitoring/follow.ts).
  monitorEntries = (entries) => monitorFeed.onAppended(entries);

  const secretSettings = config.secrets;
  const secrets = new SecretStore({ store, audit, envelope, clock, settings: { versionsKept: secretSettings.versionsKept, valueMaxBytes: secretSettings.valueMaxBytes } });
  const leases = createLeases(foundation);
  const tasks = createTasks({ ...foundation, leases });
  const databases = createDatabases({
    ...foundation,
    leases,
    checkTask: (taskId, agentId) => tasks.checkOpen(taskId, agentId),
    checkAgent: async (agentId) => {
      const agent = await registry.find(agentId);
      if (!agent || !mayObtainCredentials(agent.status)) throw new ForbiddenError(`agent ${agentId} is ${agent?.status ?? 'unknown'}: it may not obtain credentials`);
    },
    onClose: (task) => closers.push(task),
  });
  revokeWithAgentStatus(registry, tasks, leases);
  // Tokens issued with a task id end with the task (oauth/task-tokens.ts).
  tasks.onClose(oauth.acceptTasks((taskId, agentId) => tasks.checkOpen(taskId, agentId)));
  // Certificates issued with a task id end with the task too (workload/revoke.ts).
  tasks.onClose(workload.acceptTasks((taskId, agentId) => tasks.checkOpen(taskId, agentId)));
  metrics.readLeasesLive(() => leases.countLive());
  // A lease whose revocation keeps failing is an alert (GET /v1/alerts, signal lease_revocation).
  leases.onRevocationFailing((failing) =>
    monitoring.raiseOperational({
      signal: 'lease_revocation',
      agentId: failing.agentId ?? 'system',
      severity: 'high',
      observed: failing.attempts,
      reason: `lease ${failing.leaseId} (${failing.path}): revocation failed ${failing.attempts} times, last: ${failing.error}`.slice(0, 1000),
    }),
  );
  workload.onCertificateIssued(() => metrics.certificateIssued());

  await workload.start();
  closers.push(revokeOnStatusChange(registry, workload));
  const signin = createSignin(foundation, operators);

  // The token file is written inside the bootstrap transaction: no admin without its token.
  const tokenFile = join(config.dataDir, ADMIN_TOKEN_FILE);
  const bootstrap = await operators.bootstrap((token) => {
    try {
      writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    } catch (error) {
      throw new Error(`cannot write the bootstrap admin token to '${tokenFile}': ${(error as Error).message}`);
    }
  });

  return {
    ...foundation,
    auditKeys,
    auditReader,
    auditArchive,
    authenticator,
    operators,
    registry,
    oauth,
    approvals,
    delegation,
    policies,
    decisions,
    decisionReplay,
    monitoring,
    metrics,
    secrets,
    leases,
    databases,
    tasks,
    workload,
    replicas,
    signin,
    bootstrapToken: bootstrap?.token ?? null,
    onClose: (task) => closers.push(task),
    close: async () => {
      // Timed work stops first: no job may start against contexts that are closing.
      await scheduler.stop();
      for (const task of [...closers].reverse()) await task();
      closers.length = 0;
    },
  };
}
