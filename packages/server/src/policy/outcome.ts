import { RObject, RSet, toJSON, type Value } from '@mandate/rego';
/**
 * From what the policy said to the decision (pure, shared by the decision point and replay).
 *
 * | policy (package mandate.authz)      | decision                                              |
 * |-------------------------------------|-------------------------------------------------------|
 * | presented approval is not valid     | deny (`approval_<refusal code>`, plus any deny reasons) |
 * | `deny` true or non-empty            | deny (its reasons): any deny wins                     |
 * | `allow` undefined, false or empty   | deny (`default_deny`)                                 |
 * | `require_approval`, no valid approval | approval_required (its reasons)                     |
 * | otherwise                           | allow (allow's reasons when it is a set)              |
 */

export type DecisionKind = 'allow' | 'deny' | 'approval_required';

export interface PolicyResult {
  allow: boolean;
  allowReasons: string[];
  denied: boolean;
  denyReasons: string[];
  approvalRequired: boolean;
  approvalReasons: string[];
  obligations: unknown[];
}

export interface Outcome {
  decision: DecisionKind;
  reasons: string[];
}

/** Reasons used when a rule is a plain boolean, or when nothing allowed. */
export const REASONS = {
  denied: 'denied_by_policy',
  defaultDeny: 'default_deny',
  approvalRequired: 'approval_required',
  invalidToken: 'invalid_token',
  policyError: 'policy_error',
  /** The package bound to the calling resource server is not in the loaded policy: fail closed. */
  packageMissing: 'policy_package_missing',
} as const;

export class PolicyShapeError extends Error {}

/** A rule's value as (flag, reasons): booleans, or sets/arrays of reason strings. */
function flag(name: string, value: Value | undefined, booleanReason: string | null): { on: boolean; reasons: string[] } {
  if (value === undefined || value === false) return { on: false, reasons: [] };
  if (value === true) return { on: true, reasons: booleanReason ? [booleanReason] : [] };
  const members = value instanceof RSet ? value.values() : Array.isArray(value) ? value : null;
  if (!members) throw new PolicyShapeError(`${name} must be a boolean or a set of reason strings`);
  return { on: members.length > 0, reasons: members.map((m) => (typeof m === 'string' ? m : toJSON(m))) };
}

function toPlain(value: Value): unknown {
  return JSON.parse(toJSON(value)) as unknown;
}

export function readResult(values: { allow?: Value | undefined; deny?: Value | undefined; requireApproval?: Value | undefined; obligations?: Value | undefined }): PolicyResult {
  const allow = flag('allow', values.allow, null);
  const deny = flag('deny', values.deny, REASONS.denied);
  const approval = flag('require_approval', values.requireApproval, REASONS.approvalRequired);
  let obligations: unknown[] = [];
  const o = values.obligations;
  if (o !== undefined) {
    if (o instanceof RSet) obligations = o.values().map(toPlain);
    else if (Array.isArray(o)) obligations = o.map(toPlain);
    else if (o instanceof RObject) obligations = [toPlain(o)];
    else throw new PolicyShapeError('obligations must be a set or array');
  }
  return {
    allow: allow.on,
    allowReasons: allow.reasons,
    denied: deny.on,
    denyReasons: deny.reasons,
    approvalRequired: approval.on,
    approvalReasons: approval.reasons,
    obligations,
  };
}

/** @param approval `exists`: a valid approval for this exact request was presented; `refused`: one was presented and is not valid. */
export function decide(result: PolicyResult, approval: { exists: boolean; refused: string | null }): Outcome {
  if (approval.refused !== null) return { decision: 'deny', reasons: [`approval_${approval.refused}`, ...result.denyReasons] };
  if (result.denied) return { decision: 'deny', reasons: result.denyReasons };
  if (!result.allow) return { decision: 'deny', reasons: [REASONS.defaultDeny] };
  if (result.approvalRequired && !approval.exists) return { decision: 'approval_required', reasons: result.approvalReasons };
  return { decision: 'allow', reasons: result.allowReasons };
}
