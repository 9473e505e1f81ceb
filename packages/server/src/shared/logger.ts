import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths pino censors wherever they appear in a log line: credentials in headers and in
 * request/response bodies. Secrets must never reach the log, even at debug level.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.dpop',
  'req.headers.cookie',
  '*.client_secret',
  '*.client_assertion',
  '*.password',
  '*.token',
  '*.access_token',
  '*.subject_token',
  '*.actor_token',
  '*.secret',
  '*.masterKey',
  'client_secret',
  'password',
  'token',
  'masterKey',
];

/** Query parameters whose values are credentials: clients sometimes send them in the URL. */
const SENSITIVE_QUERY = /([?&](?:client_secret|client_assertion|token|access_token|subject_token|actor_token|password|secret)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.includes('?') ? url.replace(SENSITIVE_QUERY, '$1[redacted]') : url;
}

interface RequestLike {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's request fields, with credentials in the query string censored. */
function serializeRequest(req: RequestLike): Record<string, unknown> {
  return {
    method: req.method,
    url: req.url === undefined ? undefined : redactUrl(req.url),
    host: req.host ?? req.hostname,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest },
    base: { service: 'mandate' },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

export type { Logger };
