import { ApiClient, type ApiClientOptions } from './client.js';
import { authorize, type AuthorizationDecision, type AuthorizeRequest } from './authorize.js';
import { getApproval, requestApproval, waitForApproval, type Approval, type ApprovalRequest } from './approvals.js';
import { SecretsApi } from '../secrets/secrets.js';
import { DatabaseApi, TasksApi } from '../secrets/db.js';

/** The outcome of `authorizeWithApproval`: the final decision and the approval it waited on, if any. */
export interface GuardedDecision {
  decision: AuthorizationDecision;
  approval: Approval | undefined;
}

/**
 * The agent-facing `/v1` calls an agent or resource server makes: policy decisions and human
 * approvals (docs/contract.md). Credentials are an AgentAuthService (the agent's own token) or a
 * bearer token (a resource server or operator; pass the agent's token in `authorize({token})`).
 */
export class MandateClient {
  readonly api: ApiClient;
  /** The secret store: `secrets.get(path)`. */
  readonly secrets: SecretsApi;
  /** Dynamic database credentials: `db.credentials(connection, role)`, with renew and revoke. */
  readonly db: DatabaseApi;
  /** Per-task credentials: `tasks.open()`, `tasks.complete(id)`. */
  readonly tasks: TasksApi;
  constructor(options: ApiClientOptions) {
    this.api = new ApiClient(options);
    this.secrets = new SecretsApi(this.api);
    this.db = new DatabaseApi(this.api);
    this.tasks = new TasksApi(this.api);
  }

  authorize(request: AuthorizeRequest): Promise<AuthorizationDecision> {
    return authorize(this.api, request);
  }

  requestApproval(request: ApprovalRequest): Promise<Approval> {
    return requestApproval(this.api, request);
  }

  getApproval(id: string): Promise<Approval> {
    return getApproval(this.api, id);
  }

  waitForApproval(id: string, options: { timeoutSeconds: number; signal?: AbortSignal }): Promise<Approval> {
    return waitForApproval(this.api, id, options);
  }

  /**
   * Authorize; when policy answers `approval_required`, wait for the human (up to
   * `timeoutSeconds`) and, once approved, ask again with the approval — the server then
   * consumes it (single use). Any other outcome is returned as it is.
   */
  async authorizeWithApproval(request: AuthorizeRequest, options: { timeoutSeconds: number; signal?: AbortSignal }): Promise<GuardedDecision> {
    const first = await this.authorize(request);
    if (first.decision !== 'approval_required' || !first.approval_id) return { decision: first, approval: undefined };
    const approval = await this.waitForApproval(first.approval_id, options);
    if (approval.status !== 'approved') return { decision: first, approval };
    return { decision: await this.authorize({ ...request, approval_id: approval.id }), approval };
  }
}
