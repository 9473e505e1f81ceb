import { MandateError } from '../shared/errors.js';
import type { Refusal } from './rules.js';

/**
 * A refused delegation, thrown by the service. It carries the refusal (rule, OAuth error code,
 * description, approval id): the token endpoint's grants turn it into the OAuth error body.
 */
export class DelegationRefused extends MandateError {
  constructor(readonly refusal: Refusal) {
    super(refusal.error, 400, refusal.description, { rule: refusal.rule, ...(refusal.approvalId ? { approval_id: refusal.approvalId } : {}) });
  }
}
