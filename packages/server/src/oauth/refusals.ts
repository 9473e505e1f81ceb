import { decodeJwt } from 'jose';
import type { AuditLog } from '../audit/index.js';
import type { Actor, AuditEvent } from '../audit/index.js';
import type { Agent } from '../registry/index.js';
import type { Logger } from '../shared/logger.js';
import type { PresentedCredentials } from './client-auth.js';
import type { OAuthError } from './errors.js';

/**
 * Presented (unverified) text bounded for the audit log. The audit hash refuses lone UTF-16
 * surrogates, and a cut can split a pair: either made the refusal's entry fail, so the very
 * attempts worth tracing went unaudited. Lone surrogates become U+FFFD.
 */
function auditText(value: string, max: number): string {
  return value.slice(0, max).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** The (unverified) jti of a client assertion, for tracing replays in the audit log. */
function assertionJti(assertion: string): string | null {
  try {
    const jti = decodeJwt(assertion).jti;
    return typeof jti === 'string' ? auditText(jti, 256) : null;
  } catch {
    return null;
  }
}

/** What is known of a refused request: the credentials it presented, the agent if they authenticated. */
export interface RefusedRequest {
  presented: PresentedCredentials | null;
  agent: Agent | null;
  details: Record<string, unknown>;
}

/**
 * Audits refused OAuth requests (never the secret or the assertion: only what identifies the
 * attempt). A failure to audit one is logged, so the client still gets its OAuth error
 * rather than a 500.
 */
export class RefusalAudit {
  constructor(
    private readonly audit: AuditLog,
    private readonly logger: Logger,
  ) {}

  async record(type: string, error: OAuthError, { presented, agent, details }: RefusedRequest): Promise<void> {
    const clientId = presented ? auditText(presented.clientId, 200) : undefined;
    const actor: Actor = agent ? { kind: 'agent', id: agent.id } : { kind: 'anonymous', id: clientId ?? 'unknown' };
    const event: AuditEvent = {
      type,
      actor,
      action: 'issue',
      outcome: 'denied',
      details: {
        ...details,
        error: error.code,
        description: error.message,
        client_id: clientId ?? details.client_id ?? null,
        auth_method: presented?.method ?? null,
        ...(presented?.method === 'private_key_jwt' ? { assertion_jti: assertionJti(presented.assertion) } : {}),
      },
      ...(agent ? { subject: agent.id, agentId: agent.id } : {}),
    };
    try {
      await this.audit.enqueue(event);
    } catch (auditError) {
      this.logger.error({ err: auditError }, 'could not audit a refused OAuth request');
    }
  }
}
