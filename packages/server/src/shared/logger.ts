import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths pino censors wherever they appear in a log line: credentials in headers and in
 * request/response bodies. Secrets must never reach the log, even at debug level.
 */
/** Names that hold a credential wherever they appear: censored at the top and two levels down (pino's `*` is one level). */
const SECRET_FIELDS = [
  'client_secret',
  'client_assertion',
  'assertion',
  'password',
  'token',
  'access_token',
  'refresh_token',
  'subject_token',
  'actor_token',
  'id_token',
  'code_verifier',
  'csrf_token',
  'secret',
  'private_key',
  'masterKey',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.dpop',
  'req.headers.cookie',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  ...SECRET_FIELDS.map((field) => `*.*.${field}`),
];

/** Query parameters whose values are credentials: clients sometimes send them in the URL. */
// Plus an authorization code and its `state` (an IdP's answer at /signin/callback), which in a
// log line's object are too common a name (`err.code`) to censor there.
const SENSITIVE_QUERY = new RegExp(`([?&](?:${SECRET_FIELDS.join('|')}|code|state)=)[^&#]*`, 'gi');

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

/**
 * How much log output may wait in memory for a slow reader of stdout before lines are dropped.
 * Logging must never hold the server: not while it serves, not when it exits.
 */
export const LOG_BUFFER_LIMIT_BYTES = 1_048_576;

/** Where log lines go: a stream that never blocks the event loop, and says what it dropped. */
export interface LogDestination {
  write(line: string): void;
  /** Lines dropped since the last notice (the reader fell behind, or the output is gone). */
  readonly dropped: number;
}

/**
 * A destination over the process's stdout that never blocks. On a pipe, Node writes without
 * blocking and queues what the pipe does not take; when more than `limitBytes` is queued (nobody
 * reads) lines are dropped and counted, and a warning with the count goes out once the reader
 * catches up. A broken pipe (the reader died) ends logging instead of the process. Nothing is
 * flushed synchronously at exit, so `process.exit` cannot hang on a full pipe, which pino's
 * own stdout destination does: it sleeps and retries on EAGAIN for ever (issue 10, item 10).
 */
export function nonBlockingDestination(stream: NodeJS.WritableStream & { writableLength: number } = process.stdout, limitBytes = LOG_BUFFER_LIMIT_BYTES): LogDestination {
  let dropped = 0;
  let broken = false;
  stream.on('error', () => {
    broken = true;
  });
  return {
    get dropped() {
      return dropped;
    },
    write(line: string) {
      if (broken) return;
      const notice = dropped > 0 ? `${JSON.stringify({ level: 40, time: Date.now(), service: 'mandate', dropped, msg: 'log lines dropped: nobody read the output fast enough' })}\n` : '';
      if (stream.writableLength + notice.length + line.length > limitBytes) {
        dropped += 1;
        return;
      }
      if (notice) {
        stream.write(notice);
        dropped = 0;
      }
      stream.write(line);
    },
  };
}

/** The process's stdout, shared by every logger that names no destination (one error listener). */
let stdoutDestination: LogDestination | undefined;

/** A logger; without `destination` it writes to stdout through `nonBlockingDestination`. */
export function createLogger(level: string, destination?: NodeJS.WritableStream | LogDestination): Logger {
  const options: LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest },
    base: { service: 'mandate' },
  };
  return pino(options, (destination ?? (stdoutDestination ??= nonBlockingDestination())) as pino.DestinationStream);
}

export type { Logger };
