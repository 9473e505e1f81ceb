/**
 * The SDK's error base: every error it throws carries a stable `code` callers can switch on
 * (STYLE.md §4, as jose's `ERR_JWT_EXPIRED`), never only a message.
 */
export class MandateSdkError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The server could not be reached (connection refused, reset, DNS, timeout). Retryable. */
export class NetworkError extends MandateSdkError {
  constructor(url: string, cause: unknown) {
    super('ERR_NETWORK', `could not reach ${url}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The server answered with something the SDK cannot use (not JSON, missing fields). */
export class ResponseError extends MandateSdkError {
  readonly status: number;
  constructor(message: string, status: number) {
    super('ERR_UNEXPECTED_RESPONSE', message);
    this.status = status;
  }
}

/** Authorization server metadata could not be discovered or does not match the issuer. */
export class DiscoveryError extends MandateSdkError {
  /** The HTTP status when the server answered (5xx is retryable), else undefined. */
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super('ERR_DISCOVERY', message, options);
    this.status = options?.status;
  }
}

/** A Mandate API call (`/v1/...`) failed with a JSON error body `{error, message}`. */
export class ApiError extends MandateSdkError {
  readonly status: number;
  readonly details: unknown;
  constructor(code: string, status: number, message: string, details?: unknown) {
    super(code, message);
    this.status = status;
    this.details = details;
  }
}
