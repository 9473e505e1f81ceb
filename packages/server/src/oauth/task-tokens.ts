import type { Actor, AuditEvent } from '../audit/index.js';
import { ValidationError } from '../shared/errors.js';
import type { RevokedCredential } from '../shared/revoked.js';
import type { Store, Tx } from '../storage/index.js';
import { InvalidRequest } from './errors.js';
import type { Revocations } from './revocation.js';
import { oauthTables } from './tables.js';

/** Throws a ValidationError naming the problem unless `taskId` is an open task of `agentId` (the tasks context's `checkOpen`). */
export type TaskCheck = (taskId: string, agentId: string) => Promise<void>;

export const TASK_ID_MAX = 200;
const ACTOR: Actor = { kind: 'system', id: 'tasks' };

/**
 * Tokens issued with a task id (`task_id` form parameter, `task_id` claim): the task must be
 * an open task of the authenticated agent; each such token's jti is recorded with the task,
 * and the task's close hook revokes them all by jti (so every verifier, SDKs included, learns
 * it from the revocation feed as for any revoked token). The record and the close both take
 * the feed head's lock, and the task is checked again after the record: a close that commits
 * meanwhile either sees the row or makes the request fail — no task token outlives its task.
 */
export class TaskTokens {
  private check: TaskCheck | null = null;

  constructor(
    private readonly store: Store,
    private readonly revocations: Revocations,
  ) {}

  /** The composition root plugs the tasks context in (built after OAuth). */
  accept(check: TaskCheck): void {
    this.check = check;
  }

  /** 400 invalid_request naming the task unless it is an open task of `agentId`. */
  async checkOpen(taskId: string, agentId: string): Promise<void> {
    if (taskId.length === 0 || taskId.length > TASK_ID_MAX) throw new InvalidRequest(`task_id must be 1 to ${TASK_ID_MAX} characters`);
    if (!this.check) throw new InvalidRequest('task_id is not accepted: this server has no tasks context');
    try {
      await this.check(taskId, agentId);
    } catch (error) {
      if (error instanceof ValidationError) throw new InvalidRequest(error.message);
      throw error;
    }
  }

  /** Records an issued token with its task, then checks the task is still open (see the class comment). */
  async record(taskId: string, token: { jti: string; exp: number; agentId: string; clientId: string | null }): Promise<void> {
    await this.store.transaction(async (trx) => {
      await this.revocations.lockFeed(trx);
      await oauthTables(trx).insertInto('oauth_task_tokens').values({ jti: token.jti, task_id: taskId, agent_id: token.agentId, client_id: token.clientId, exp: token.exp }).execute();
    });
    await this.checkOpen(taskId, token.agentId);
  }

  /** The tasks close hook: revokes every live token issued with `taskId`, inside the close's transaction. */
  async revokeForTaskIn(trx: Tx, taskId: string, nowSeconds: number): Promise<{ events: AuditEvent[]; revoked: RevokedCredential[] }> {
    await this.revocations.lockFeed(trx);
    const rows = await oauthTables(trx).selectFrom('oauth_task_tokens').selectAll().where('task_id', '=', taskId).where('exp', '>=', nowSeconds).orderBy('jti').execute();
    const tokens = rows.map((r) => ({ jti: r.jti, exp: Number(r.exp), agentId: r.agent_id, clientId: r.client_id }));
    const { jtis, events } = await this.revocations.revokeTokensIn(trx, tokens, ACTOR, `task ${taskId} closed`);
    return { events, revoked: jtis.map((jti) => ({ kind: 'token', id: jti, detail: `issued with task ${taskId}` })) };
  }
}
