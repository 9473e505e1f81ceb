/**
 * Policies and data documents with revisions, and the compiled policy held in memory.
 *
 * - Every change (module put/delete, data put/delete, rollback) appends a revision with the
 *   complete module set and data (store.ts), inside `audit.withEntry`, after compiling the whole
 *   new module set: a set that does not compile is refused (PolicyCompileError) and nothing
 *   changes. Compilation happens once per change (STYLE.md §7); decisions use the kept
 *   PreparedPolicy.
 * - Replicas: `fresh()` compares the newest revision number in the database with the one held,
 *   at most once per `revisionCheckMs` (default 1 s), and loads and compiles a newer one. One
 *   cheap indexed read per replica per second; no LISTEN connection to keep alive. A replica may
 *   therefore decide on the previous revision for up to that long after a change elsewhere.
 */
import { parseJSON, RObject, toJSON, type PreparedPolicy, type RegoVersion, type Value } from '@mandate/rego';
import type { AuditLog } from '../audit/index.js';
import type { Actor } from '../audit/index.js';
import type { Clock } from '../shared/clock.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { CHANGE_TOPICS, type ChangeNotifier, type Store } from '../storage/index.js';
import { isUniqueViolation } from '../storage/index.js';
import { deleteAt, refOf, setAt } from './data-path.js';
import { loadDefaultBundle } from './default-bundle.js';
import { candidateFor, nextCandidateKey, type ModuleChanges } from './candidate.js';
import { compilePolicy } from './compile.js';
import { PolicyCompileError, PolicyEvaluationError } from './errors.js';

export { compilePolicy };
import { checkPolicyId } from './path-syntax.js';
import type { PolicySandbox } from './sandbox.js';
import { PolicyStore, type PolicyState, type RevisionSummary } from './store.js';

export interface PolicySettings {
  maxSteps: number;
  maxEvalMs: number;
  /** How often (ms) a decision checks whether another replica stored a newer revision; 0 = every decision. */
  revisionCheckMs: number;
  /** The Rego syntax modules are parsed as (OPA's `--v0-compatible` is 'v0'); v1 when absent. */
  regoVersion?: RegoVersion;
}

export interface ActivePolicy {
  revision: number;
  modulesHash: string;
  modules: Record<string, string>;
  prepared: PreparedPolicy;
  /** The base data document (exact numbers). */
  data: RObject;
}

export interface PolicyServiceOptions {
  store: Store;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  settings: PolicySettings;
  /** Monotonic milliseconds for the revision-check throttle (I/O timing, not domain time). */
  monotonic?: () => number;
  /** Where the data API evaluates (off the event loop, sandbox.ts); in process when absent. */
  sandbox?: PolicySandbox;
  /**
   * Tells other replicas of each stored revision (topic `policy`, id the revision) in its own
   * transaction; on theirs this replica loads the new revision at once instead of at the next
   * throttled check (docs/replicas.md).
   */
  notifier?: ChangeNotifier;
}

const CHANGE_RETRIES = 5;

export interface EvaluateOptions {
  strictBuiltinErrors?: boolean;
  signal?: AbortSignal;
}

/** The base data as JSON text for the sandbox's workers, serialised once per revision. */
const dataTexts = new WeakMap<ActivePolicy, string>();
function dataText(active: ActivePolicy): string {
  let text = dataTexts.get(active);
  if (text === undefined) dataTexts.set(active, (text = toJSON(active.data)));
  return text;
}

function authorOf(actor: Actor): string {
  return `${actor.kind}:${actor.id}`;
}

export class PolicyService {
  readonly revisions: PolicyStore;
  private active: ActivePolicy | null = null;
  private lastCheck = Number.NEGATIVE_INFINITY;
  private checking: Promise<ActivePolicy> | null = null;
  private readonly monotonic: () => number;

  constructor(private readonly options: PolicyServiceOptions) {
    this.revisions = new PolicyStore(options.store, options.clock);
    this.monotonic = options.monotonic ?? (() => performance.now());
    options.notifier?.subscribe(CHANGE_TOPICS.policy, {
      onNotice: () => void this.checkNow().catch(() => undefined),
      resync: () => this.checkNow().then(() => undefined),
    });
  }

  /** Checks for a newer revision now, whatever the throttle says (a change notice, the catch-up). */
  private checkNow(): Promise<ActivePolicy> {
    if (!this.active) return Promise.reject(new Error('the policy service has not started'));
    this.lastCheck = Number.NEGATIVE_INFINITY;
    return this.fresh();
  }

  get settings(): PolicySettings {
    return this.options.settings;
  }

  /** The Rego syntax of every module set this service compiles (policy.regoVersion). */
  get regoVersion(): RegoVersion {
    return this.options.settings.regoVersion ?? 'v1';
  }

  /** Loads the newest revision; on a database with none, stores the default bundle as revision 1. */
  async start(): Promise<void> {
    let latest = await this.revisions.latest();
    if (!latest) {
      const modules = loadDefaultBundle();
      compilePolicy(modules, this.regoVersion);
      try {
        latest = await this.options.audit.withEntry(async (trx) => {
          const state = await this.revisions.append(trx, 0, { author: 'system:default-bundle', change: 'load default bundle', modules, data: new RObject() });
          return { result: state, events: [this.revisionEvent({ kind: 'system', id: 'default-bundle' }, state)] };
        });
      } catch (error) {
        // Another replica stored revision 1 first: use theirs.
        if (!isUniqueViolation(error)) throw error;
        latest = await this.revisions.latest();
      }
    }
    this.install(latest!, null);
    this.lastCheck = this.monotonic();
  }

  /** The policy held in memory (after start). */
  current(): ActivePolicy {
    if (!this.active) throw new Error('the policy service has not started');
    return this.active;
  }

  /** The active policy, first loading a newer revision stored by another replica (throttled). */
  async fresh(): Promise<ActivePolicy> {
    const now = this.monotonic();
    if (now - this.lastCheck < this.options.settings.revisionCheckMs) return this.current();
    this.checking ??= this.checkHead().finally(() => {
      this.lastCheck = this.monotonic();
      this.checking = null;
    });
    return this.checking;
  }

  private async checkHead(): Promise<ActivePolicy> {
    const head = await this.revisions.head();
    if (head > this.current().revision) {
      const latest = await this.revisions.latest();
      if (latest && latest.revision > this.current().revision) {
        try {
          this.install(latest, null);
        } catch (error) {
          // A stored revision always compiled when it was written; if this build cannot compile
          // it, keep deciding with what we have and say so loudly.
          this.options.logger.error({ err: error, revision: latest.revision }, 'cannot compile the newest policy revision; keeping the previous one');
        }
      }
    }
    return this.current();
  }

  private install(state: PolicyState, prepared: PreparedPolicy | null): void {
    if (this.active && this.active.revision >= state.revision) return;
    const reuse = prepared ?? (this.active && this.active.modulesHash === state.modulesHash ? this.active.prepared : compilePolicy(state.modules, this.regoVersion));
    this.active = {
      revision: state.revision,
      modulesHash: state.modulesHash,
      modules: state.modules,
      prepared: reuse,
      data: state.data,
    };
  }

  private revisionEvent(actor: Actor, state: PolicyState) {
    return {
      type: 'policy.revision_created',
      actor,
      subject: `policy-revision:${state.revision}`,
      action: 'change',
      outcome: 'success' as const,
      details: { revision: state.revision, change: state.change, modules_hash: state.modulesHash, modules: Object.keys(state.modules).sort() },
    };
  }

  /**
   * Appends a revision made by `mutate` from the newest one. Retries when another writer took
   * the revision number first (it re-reads and re-applies the change on top of theirs).
   */
  private async change(actor: Actor, describe: string, mutate: (state: PolicyState) => { modules: Record<string, string>; data: RObject }): Promise<PolicyState> {
    for (let attempt = 0; ; attempt += 1) {
      let prepared: PreparedPolicy | null = null;
      try {
        const saved = await this.options.audit.withEntry(async (trx) => {
          const latest = await this.revisions.latest(trx);
          if (!latest) throw new Error('the policy store has no revision; start() was not called');
          const next = mutate(latest);
          prepared = compilePolicy(next.modules, this.regoVersion);
          const state = await this.revisions.append(trx, latest.revision, { author: authorOf(actor), change: describe, ...next });
          await this.options.notifier?.publish(trx, CHANGE_TOPICS.policy, state.revision);
          return { result: state, events: [this.revisionEvent(actor, state)] };
        });
        this.install(saved, prepared);
        return saved;
      } catch (error) {
        if (isUniqueViolation(error) && attempt < CHANGE_RETRIES) continue;
        if (error instanceof PolicyCompileError) {
          await this.options.audit.append({
            type: 'policy.change_refused',
            actor,
            action: 'change',
            outcome: 'failure',
            details: { change: describe, errors: error.errors.slice(0, 20) },
          });
        }
        throw error;
      }
    }
  }

  // ---- modules -----------------------------------------------------------------------------

  async listModules(): Promise<Array<{ id: string; raw: string }>> {
    const { modules } = await this.fresh();
    return Object.keys(modules)
      .sort()
      .map((id) => ({ id, raw: modules[id]! }));
  }

  async getModule(id: string): Promise<{ id: string; raw: string }> {
    const { modules } = await this.fresh();
    const raw = modules[id];
    if (raw === undefined) throw new NotFoundError('policy', id);
    return { id, raw };
  }

  putModule(id: string, text: string, actor: Actor): Promise<PolicyState> {
    checkPolicyId(id);
    return this.change(actor, `put policy ${id}`, (s) => ({ modules: { ...s.modules, [id]: text }, data: s.data }));
  }

  deleteModule(id: string, actor: Actor): Promise<PolicyState> {
    checkPolicyId(id);
    return this.change(actor, `delete policy ${id}`, (s) => {
      if (!(id in s.modules)) throw new NotFoundError('policy', id);
      const modules = { ...s.modules };
      delete modules[id];
      return { modules, data: s.data };
    });
  }

  // ---- data --------------------------------------------------------------------------------

  /** Puts a document (the engine's value, exact numbers: parse request JSON with @mandate/rego's parseJSON). */
  putData(segments: string[], value: Value, actor: Actor): Promise<PolicyState> {
    return this.change(actor, `put data /${segments.join('/')}`, (s) => ({ modules: s.modules, data: setAt(s.data, segments, value) }));
  }

  deleteData(segments: string[], actor: Actor): Promise<PolicyState> {
    return this.change(actor, `delete data /${segments.join('/')}`, (s) => {
      const data = deleteAt(s.data, segments);
      if (data === null) throw new NotFoundError('data document', `/${segments.join('/')}`);
      return { modules: s.modules, data };
    });
  }

  /** The value of `data.<path>` (base and virtual documents) for `input`, or undefined. */
  async evaluate(segments: string[], input: Value | undefined, options: EvaluateOptions = {}): Promise<Value | undefined> {
    const active = await this.fresh();
    return this.evaluateOn(active, `revision:${active.revision}:${active.modulesHash}`, segments, input, options);
  }

  /**
   * The same for a draft: the active modules with `changes` applied (replaced, added or, with
   * null, removed), over today's data, stored nowhere. A draft that does not compile is a
   * PolicyCompileError with each error's row and column (the console's editor marks them).
   */
  async evaluateDraft(changes: ModuleChanges, segments: string[], input: Value | undefined, options: EvaluateOptions = {}): Promise<{ revision: number; result: Value | undefined }> {
    const active = await this.fresh();
    const draft = candidateFor(active, changes, this.regoVersion, this.options.sandbox !== undefined);
    return { revision: active.revision, result: await this.evaluateOn(draft, nextCandidateKey(), segments, input, options) };
  }

  private async evaluateOn(active: ActivePolicy, key: string, segments: string[], input: Value | undefined, options: EvaluateOptions): Promise<Value | undefined> {
    const nowNs = BigInt(this.options.clock.now()) * 1_000_000n;
    const strict = options.strictBuiltinErrors ?? false;
    const limits = { maxSteps: this.options.settings.maxSteps, timeoutMs: this.options.settings.maxEvalMs };
    try {
      const { sandbox } = this.options;
      if (sandbox) {
        const policy = { key, modules: active.modules, regoVersion: this.regoVersion, data: dataText(active) };
        const job = { kind: 'data' as const, policy, ref: refOf(segments), nowNs, strict, limits, ...(input === undefined ? {} : { input: toJSON(input) }) };
        const answer = await sandbox.run(job, options.signal);
        return 'json' in answer && answer.json !== null ? parseJSON(answer.json) : undefined;
      }
      return active.prepared.evaluate(refOf(segments), { ...(input === undefined ? {} : { input }), data: active.data, nowNs, strictBuiltinErrors: strict, limits });
    } catch (error) {
      throw PolicyEvaluationError.from(error) ?? error;
    }
  }

  // ---- revisions ---------------------------------------------------------------------------

  listRevisions(limit?: number): Promise<RevisionSummary[]> {
    return this.revisions.list(limit);
  }

  /** One revision, whole (its modules' texts and its data). */
  async getRevision(revision: number): Promise<PolicyState> {
    const state = await this.revisions.get(revision);
    if (!state) throw new NotFoundError('policy revision', String(revision));
    return state;
  }

  /** Restores the modules and data of revision `to` (default: the one before the newest) as a new revision. */
  async rollback(to: number | undefined, actor: Actor): Promise<PolicyState> {
    const head = await this.revisions.head();
    const target = to ?? head - 1;
    if (!Number.isInteger(target) || target < 1) throw new ValidationError('there is no earlier revision to roll back to', { field: 'to' });
    const old = await this.revisions.get(target);
    if (!old) throw new NotFoundError('policy revision', String(target));
    return this.change(actor, `rollback to ${target}`, () => ({ modules: old.modules, data: old.data }));
  }
}
