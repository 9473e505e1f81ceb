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

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'mandate' } };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

export type { Logger };
