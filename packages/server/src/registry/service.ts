import type { AuditLog } from '../audit/index.js';
import type { Actor } from '../audit/index.js';
import type { Clock } from '../shared/clock.js';
import { CHANGE_TOPICS, type ChangeNotifier, type Store } from '../storage/index.js';
import { authenticateClientSecret } from './authenticate.js';
import { bulkRegister, type BulkAgent } from './bulk-register.js';
import type { RegistryDeps, RegistrySettings } from './deps.js';
import type { LifecycleAction } from './lifecycle.js';
import { findAgent, findAgentByClientId, getAgent, listAgents } from './query.js';
import { agentFromRow } from './record.js';
import { registerAgent } from './register.js';
import { reviewAgent } from './review.js';
import { rotateClientSecret } from './rotate-secret.js';
import { StatusChangeHooks, type StatusChangeAnnouncer } from './status-hooks.js';
import { AgentStore, GrantRequestStore } from './store.js';
import type { AgentRow } from './tables.js';
import { transitionAgent } from './transition.js';
import type {
  AccessScope,
  Agent,
  AgentFilter,
  AgentPage,
  AgentPatch,
  GrantDecider,
  GrantRequest,
  NewAgent,
  PageRequest,
  RegisteredAgent,
  RotatedSecret,
  StatusChange,
  StatusChangeListener,
  StatusChangeTxListener,
  TransitionOutcome,
} from './types.js';
import { updateAgent } from './update.js';
import { decideGrantRequest, type GrantDecision } from './grant-decide.js';
import { registerOrHold, updateOrHold, type RegisterOutcome, type Requester, type UpdateOutcome } from './grant-hold.js';
import { getGrantRequest, listGrantRequests } from './grant-read.js';

export type { RegistrySettings } from './deps.js';

export interface RegistryOptions {
  store: Store;
  audit: AuditLog;
  clock: Clock;
  settings: RegistrySettings;
  /** Where failures of after-commit status-change listeners are reported (they never undo the change). */
  onListenerError?: (error: unknown, change: StatusChange) => void;
  /**
   * Tells other replicas that an agent changed (topic `agent`, id its client id), and hears
   * theirs: a notice from elsewhere runs this replica's `onUpdate` listeners with the agent
   * as stored now, so its caches of the record drop it (docs/replicas.md).
   */
  notifier?: ChangeNotifier;
}

/**
 * The agent registry: records, lifecycle, reviews and OAuth client credentials. Every change
 * and its audit entry commit in one transaction. Each method is one use case in a file of its
 * own (register.ts, update.ts, transition.ts, review.ts, rotate-secret.ts, authenticate.ts,
 * query.ts); this class only holds what they share. Status changes are announced twice, in
 * their transaction and after commit (status-hooks.ts).
 */
export class RegistryService {
  private readonly deps: RegistryDeps;
  private readonly hooks: StatusChangeHooks;
  private readonly announcer: StatusChangeAnnouncer;
  /** In-memory listeners for committed field edits (cache eviction); see onUpdate(). */
  private readonly updateListeners = new Set<(agent: Agent) => void>();

  constructor(private readonly options: RegistryOptions) {
    this.deps = { agents: new AgentStore(options.store), grants: new GrantRequestStore(options.store), audit: options.audit, clock: options.clock, settings: options.settings };
    this.hooks = new StatusChangeHooks(options.onListenerError);
    const notifier = options.notifier;
    this.announcer = {
      inTransaction: async (trx, change) => {
        const contribution = await this.hooks.inTransaction(trx, change);
        // Delivered when the change commits, never for one that rolls back.
        await notifier?.publish(trx, CHANGE_TOPICS.agent, change.clientId);
        return contribution;
      },
      afterCommit: (change) => this.notify(change),
    };
    this.notifier = notifier;
    notifier?.subscribe(CHANGE_TOPICS.agent, {
      onNotice: (clientId) => {
        if (clientId) void this.changedElsewhere(clientId);
      },
      // The caches behind onUpdate keep an agent at most a second (identity/subjects.ts,
      // oauth/agent-cache.ts): they are their own catch-up, nothing to re-read here.
      resync: () => {},
    });
  }

  private readonly notifier: ChangeNotifier | undefined;

  /** Another replica changed this agent: this replica's caches of it drop it. */
  private async changedElsewhere(clientId: string): Promise<void> {
    try {
      const agent = await this.getByClientId(clientId);
      if (agent) this.runUpdateListeners(agent);
    } catch {
      // The record could not be read now: the caches' one-second lifetime still bounds the lag.
    }
  }

  /**
   * The after-commit announcement of a status change. One method on the instance, looked up at
   * each call, so a test can stand in for a process that dies right after the commit.
   */
  private notify(change: StatusChange): Promise<void> {
    return this.hooks.afterCommit(change);
  }

  /** Row → domain object, with the review fields computed at `now`. */
  toAgent(row: AgentRow, now = this.deps.clock.now()): Agent {
    return agentFromRow(row, now, this.deps.settings.reviewIntervalDays);
  }

  // ---- reads ---------------------------------------------------------------------------

  /** The agent, or null when no agent has that id. */
  find(id: string): Promise<Agent | null> {
    return findAgent(this.deps, id);
  }

  /** The agent; NotFoundError (404) when unknown, ForbiddenError (403) outside `access`. */
  get(id: string, access: AccessScope = {}): Promise<Agent> {
    return getAgent(this.deps, id, access);
  }

  /** For the OAuth context: the agent registered under this client id, or null. */
  getByClientId(clientId: string): Promise<Agent | null> {
    return findAgentByClientId(this.deps, clientId);
  }

  /** One page of agents in registration order (query.ts). */
  list(filter: AgentFilter = {}, page: PageRequest = {}, access: AccessScope = {}): Promise<AgentPage> {
    return listAgents(this.deps, filter, page, access);
  }

  // ---- changes ---------------------------------------------------------------------------

  /** Registers an agent and issues its client secret, shown once (register.ts). */
  register(input: NewAgent, actor: Actor, access: AccessScope = {}): Promise<RegisteredAgent> {
    return registerAgent(this.deps, input, actor, access);
  }

  /** Registers up to BULK_REGISTER_MAX agents with given ids and secret hashes in one transaction and one audit entry (bulk-register.ts). */
  registerMany(agents: readonly BulkAgent[], actor: Actor): Promise<{ count: number }> {
    return bulkRegister(this.deps, agents, actor);
  }

  /** Changes mutable fields; a patch that changes nothing writes nothing (update.ts). */
  async update(id: string, patch: AgentPatch, actor: Actor, access: AccessScope = {}): Promise<Agent> {
    const agent = await updateAgent(this.deps, id, patch, actor, access);
    this.announceUpdate(agent);
    return agent;
  }

  // ---- grants beyond an owner's ceiling, held for an admin (grant-hold.ts, grant-decide.ts) ----

  /** Registers, or — for an owner beyond its ceiling — holds the registration as a grant request. */
  registerOrHold(input: NewAgent, actor: Actor, access: AccessScope, requester: Requester): Promise<RegisterOutcome> {
    return registerOrHold(this.deps, input, actor, access, requester);
  }

  /** Changes, or — for an owner beyond its ceiling — holds the change as a grant request. */
  async updateOrHold(id: string, patch: AgentPatch, actor: Actor, access: AccessScope, requester: Requester): Promise<UpdateOutcome> {
    const outcome = await updateOrHold(this.deps, id, patch, actor, access, requester);
    if ('updated' in outcome) this.announceUpdate(outcome.updated);
    return outcome;
  }

  getGrantRequest(id: string): Promise<GrantRequest> {
    return getGrantRequest(this.deps, id);
  }

  /** Oldest first; `status` one of pending, approved, denied. */
  listGrantRequests(status?: string, limit?: number): Promise<GrantRequest[]> {
    return listGrantRequests(this.deps, status, limit);
  }

  /** An admin (not the requester) approves — applying it — or denies a held grant request. */
  async decideGrantRequest(id: string, decision: 'approve' | 'deny', decider: GrantDecider, reason: string | null = null): Promise<GrantDecision> {
    const decided = await decideGrantRequest(this.deps, id, decision, decider, reason);
    if (decided.agent && decided.request.kind === 'update') this.announceUpdate(decided.agent);
    return decided;
  }

  private announceUpdate(agent: Agent): void {
    this.runUpdateListeners(agent);
    // After commit (the edit's transaction is update.ts's own); a lost notice is bounded by
    // the caches' one-second lifetime.
    this.notifier?.publish(this.options.store.db, CHANGE_TOPICS.agent, agent.clientId).catch(() => undefined);
  }

  private runUpdateListeners(agent: Agent): void {
    for (const listener of [...this.updateListeners]) {
      try {
        listener(agent);
      } catch {
        // In-memory work only (cache eviction): a failing listener never fails the committed edit.
      }
    }
  }

  /**
   * Hears committed edits of an agent's fields on this replica, and any change of the agent on
   * another replica (its change notice; after commit, in memory only:
   * caches of the agent record drop it so narrowed scopes, tools or ceiling apply at once).
   * Returns the unsubscribe function.
   */
  onUpdate(listener: (agent: Agent) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** Moves an agent through its lifecycle and announces the change (transition.ts). */
  async transition(id: string, action: LifecycleAction, actor: Actor, reason?: string | null, access: AccessScope = {}): Promise<Agent> {
    return (await this.transitionWithRevocations(id, action, actor, reason, access)).agent;
  }

  /** As `transition`, with every credential the change took back (a decommission's response lists them). */
  transitionWithRevocations(id: string, action: LifecycleAction, actor: Actor, reason?: string | null, access: AccessScope = {}): Promise<TransitionOutcome> {
    return transitionAgent(this.deps, this.announcer, id, action, actor, reason, access);
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

  /** Records a review; the next one falls due registry.reviewIntervalDays later (review.ts). */
  review(id: string, notes: string | null | undefined, actor: Actor, access: AccessScope = {}): Promise<Agent> {
    return reviewAgent(this.deps, id, notes, actor, access);
  }

  /** Issues a new client secret; the replaced one works on for the overlap (rotate-secret.ts). */
  rotateSecret(id: string, actor: Actor, access: AccessScope = {}): Promise<RotatedSecret> {
    return rotateClientSecret(this.deps, id, actor, access);
  }

  // ---- for the OAuth context ----------------------------------------------------------------

  /** The agent when the secret matches its current or unexpired previous one, else null (authenticate.ts). */
  authenticateClientSecret(clientId: string, secret: string, now: number = this.deps.clock.now()): Promise<Agent | null> {
    return authenticateClientSecret(this.deps, clientId, secret, now);
  }

  /** Subscribes to committed status changes; returns the unsubscribe function. */
  onStatusChange(listener: StatusChangeListener): () => void {
    return this.hooks.onStatusChange(listener);
  }

  /**
   * Subscribes to status changes inside their transaction (types.ts StatusChangeTxListener):
   * what the listener writes and the audit events it returns commit with the change, and a
   * throw rolls the change back. Returns the unsubscribe function.
   */
  onStatusChangeInTransaction(listener: StatusChangeTxListener): () => void {
    return this.hooks.onStatusChangeInTransaction(listener);
  }
}
