import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { MandateError, RateLimitedError } from '../shared/errors.js';

/** The JSON error body of every /v1 endpoint. */
export interface ErrorBody {
  error: string;
  message: string;
  details?: Record<string, unknown>;
  /** The message again under OAuth's name, for the errors the sessions contract names so (`csrf_token_invalid`). */
  error_description?: string;
  request_id: string;
}

/** Codes whose body also carries `error_description` (docs/signin.md). */
const WITH_DESCRIPTION = new Set(['csrf_token_invalid']);

interface AjvLikeError {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** Turns a schema violation into a sentence that names the field, e.g. "body.scopes/0: must be string". */
function describeValidation(error: FastifyError): { message: string; details: Record<string, unknown> } {
  const first = (error.validation?.[0] ?? {}) as AjvLikeError;
  const part = error.validationContext ?? 'body';
  const path = (first.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  let field = path ? `${part}.${path}` : part;
  let message = first.message ?? 'is invalid';
  if (first.keyword === 'additionalProperties') {
    const extra = String(first.params?.additionalProperty ?? '');
    field = path ? `${part}.${path}.${extra}` : `${part}.${extra}`;
    message = 'is not a known field';
  } else if (first.keyword === 'required') {
    const missing = String(first.params?.missingProperty ?? '');
    field = path ? `${part}.${path}.${missing}` : `${part}.${missing}`;
    message = 'is required';
  } else if (first.keyword === 'enum') {
    message = `must be one of: ${(first.params?.allowedValues as unknown[] | undefined)?.join(', ') ?? ''}`;
  }
  return { message: `${field} ${message}`, details: { field, keyword: first.keyword } };
}

/** Fastify's own client-error codes and the status and code we answer with. */
const FASTIFY_CLIENT_ERRORS: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_request' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_request' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json' },
};

export function toErrorResponse(error: unknown, request: FastifyRequest): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  const requestId = String(request.id);
  if (error instanceof MandateError) {
    if (!error.expose) {
      request.log.error({ err: error }, 'server error');
      return { status: error.status, body: { error: error.code, message: 'internal error', request_id: requestId } };
    }
    const body: ErrorBody = { error: error.code, message: error.message, request_id: requestId };
    if (error.details) body.details = error.details;
    if (WITH_DESCRIPTION.has(error.code)) body.error_description = error.message;
    const headers = error instanceof RateLimitedError ? { 'retry-after': String(error.retryAfterSeconds) } : undefined;
    return headers ? { status: error.status, body, headers } : { status: error.status, body };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const { message, details } = describeValidation(fastifyError);
    return { status: 400, body: { error: 'invalid_request', message, details, request_id: requestId } };
  }
  const known = fastifyError.code ? FASTIFY_CLIENT_ERRORS[fastifyError.code] : undefined;
  if (known && fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    // Name the limit: bodyLimitBytes, or the endpoint's own (a form endpoint's is smaller).
    const limit = request.routeOptions.bodyLimit;
    const message = `the request body is larger than this endpoint's limit of ${limit} bytes${request.server.initialConfig.bodyLimit === limit ? ' (bodyLimitBytes)' : ''}`;
    return { status: known.status, body: { error: known.code, message, details: { limit }, request_id: requestId } };
  }
  if (known) return { status: known.status, body: { error: known.code, message: fastifyError.message, request_id: requestId } };
  if (error instanceof SyntaxError || (fastifyError.statusCode && fastifyError.statusCode < 500)) {
    // Malformed JSON and other parser complaints arrive with a 4xx statusCode.
    const status = fastifyError.statusCode && fastifyError.statusCode < 500 ? fastifyError.statusCode : 400;
    return { status, body: { error: status === 429 ? 'rate_limited' : 'invalid_request', message: fastifyError.message, request_id: requestId } };
  }
  request.log.error({ err: error }, 'unexpected error');
  return { status: 500, body: { error: 'internal_error', message: 'internal error', request_id: requestId } };
}

export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body, headers } = toErrorResponse(error, request);
  if (headers) void reply.headers(headers);
  return reply.status(status).send(body);
}
