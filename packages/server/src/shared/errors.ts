/**
 * Domain errors with stable codes (STYLE.md §4). Services throw these; the HTTP layer
 * maps `status` and `code` to a JSON body, and anything that is not a MandateError
 * becomes a 500 `internal_error` without leaking its message.
 */
export class MandateError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, status: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = details;
  }

  /** Client errors are safe to show; server errors are logged and replaced. */
  get expose(): boolean {
    return this.status < 500;
  }
}

export class ValidationError extends MandateError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_request', 400, message, details);
  }
}

export class UnauthenticatedError extends MandateError {
  constructor(message = 'missing or invalid credentials') {
    super('unauthenticated', 401, message);
  }
}

export class ForbiddenError extends MandateError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('forbidden', 403, message, details);
  }
}

export class NotFoundError extends MandateError {
  constructor(kind: string, id: string) {
    super('not_found', 404, `${kind} '${id}' not found`, { kind, id });
  }
}

export class ConflictError extends MandateError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('conflict', 409, message, details);
  }
}

/** A lifecycle change the state machine does not allow; names the transitions it does. */
export class IllegalTransitionError extends MandateError {
  constructor(kind: string, from: string, to: string, allowed: readonly string[]) {
    const options = allowed.length > 0 ? allowed.join(', ') : 'none (terminal state)';
    super('illegal_transition', 409, `${kind} cannot go from '${from}' to '${to}'; allowed from '${from}': ${options}`, {
      from,
      to,
      allowed,
    });
  }
}

export class PayloadTooLargeError extends MandateError {
  constructor(limit: number) {
    super('payload_too_large', 413, `request body exceeds ${limit} bytes`);
  }
}

export class RateLimitedError extends MandateError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('rate_limited', 429, `too many requests; retry after ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class ServiceUnavailableError extends MandateError {
  constructor(message: string) {
    super('unavailable', 503, message);
  }
}
