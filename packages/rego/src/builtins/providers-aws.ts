/**
 * OPA's providers.aws.sign_req: signs an http.send request object with AWS
 * Signature Version 4 (HMAC-SHA256) at a given time, returning the request
 * with Authorization and x-amz-* headers added. Pure computation, no network.
 */
import { createHash, createHmac } from 'node:crypto';
import { RObject, isNumber, toBigInt, toJSON, type Value } from '../value.js';
import { goJSON } from './jwt-encoding.js';
import { BuiltinTypeError, registerBuiltins } from './registry.js';
import { formatTime } from './time-layout.js';
import { UTC } from './time-zone.js';

const REQUIRED_CONFIG = ['aws_access_key', 'aws_region', 'aws_secret_access_key', 'aws_service'];
const REQUIRED_REQUEST = ['method', 'url'];

/** The request keys http.send accepts (OPA validates sign_req's request the same way). */
const REQUEST_KEYS = new Set([
  'method', 'url', 'body', 'raw_body', 'headers', 'enable_redirect', 'force_json_decode', 'force_yaml_decode',
  'tls_use_system_certs', 'tls_ca_cert', 'tls_ca_cert_file', 'tls_ca_cert_env_variable', 'tls_client_cert',
  'tls_client_cert_file', 'tls_client_cert_env_variable', 'tls_client_key', 'tls_client_key_file',
  'tls_client_key_env_variable', 'tls_insecure_skip_verify', 'tls_server_name', 'timeout', 'cache', 'force_cache',
  'force_cache_duration_seconds', 'raise_error', 'caching_mode', 'max_retry_attempts', 'cache_ignored_headers',
]);

/** Headers a proxy may change, left out of the signature (as the AWS SDK does). */
const IGNORED_HEADERS = new Set(['authorization', 'user-agent', 'x-amzn-trace-id']);

/** OPA prints key sets as {"a", "b"}. */
const setText = (keys: string[]) => `{${[...keys].sort().map((k) => JSON.stringify(k)).join(', ')}}`;

const str = (v: Value | undefined) => (typeof v === 'string' ? v : '');

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function checkConfig(config: RObject): void {
  const missing = REQUIRED_CONFIG.filter((k) => !config.has(k));
  if (missing.length > 0) throw new BuiltinTypeError(`operand 2 missing required AWS config parameters(s): ${setText(missing)}`);
  const invalid = REQUIRED_CONFIG.filter((k) => typeof config.get(k) !== 'string');
  if (invalid.length > 0) throw new BuiltinTypeError(`operand 2 invalid values for required AWS config parameters(s): ${setText(invalid)}`);
}

function checkRequest(req: RObject): void {
  const keys = req.keys().map((k) => (typeof k === 'string' ? k : toJSON(k)));
  const unknown = keys.filter((k) => !REQUEST_KEYS.has(k));
  if (unknown.length > 0) throw new BuiltinTypeError(`operand 1 invalid request parameters(s): ${setText(unknown)}`);
  const missing = REQUIRED_REQUEST.filter((k) => !req.has(k));
  if (missing.length > 0) throw new BuiltinTypeError(`operand 1 missing required request parameters(s): ${setText(missing)}`);
}

/** Go's url.URL Host, escaped path and raw query of an absolute URL. */
function urlParts(text: string): { host: string; path: string; query: string } {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/.exec(text);
  if (!m) {
    const q = text.indexOf('?');
    return { host: '', path: q < 0 ? text.split('#')[0]! : text.slice(0, q), query: q < 0 ? '' : text.slice(q + 1).split('#')[0]! };
  }
  const authority = m[1]!;
  return { host: authority.slice(authority.lastIndexOf('@') + 1), path: m[2]!, query: m[3] ?? '' };
}

function signRequest([reqArg, configArg, timeArg]: Value[]): Value {
  const req = reqArg as RObject;
  const config = configArg as RObject;
  checkConfig(config);
  const service = str(config.get('aws_service'));
  const accessKey = str(config.get('aws_access_key'));
  const secretKey = str(config.get('aws_secret_access_key'));
  const region = str(config.get('aws_region'));
  const sessionToken = str(config.get('aws_session_token'));

  // A signing time before 1970 is refused (OPA also refuses times written with an exponent).
  const ns = isNumber(timeArg!) ? toBigInt(timeArg) : null;
  if (ns === null || ns < 0n || ns >= 2n ** 63n) {
    throw new BuiltinTypeError('operand 3 could not convert time_ns value into a unix timestamp');
  }
  checkRequest(req);
  let headers = new RObject();
  const headersArg = req.get('headers');
  if (headersArg !== undefined) {
    if (!(headersArg instanceof RObject)) throw new BuiltinTypeError(`operand 0 must be object but got ${typeof headersArg}`);
    headers = headersArg;
  }
  const invalid = REQUIRED_REQUEST.filter((k) => typeof req.get(k) !== 'string');
  if (invalid.length > 0) throw new BuiltinTypeError(`operand 1 invalid values for required request parameters(s): ${setText(invalid)}`);
  const url = urlParts(req.get('url') as string);
  const method = req.get('method') as string;

  const rawBody = req.get('raw_body');
  const body = req.get('body');
  const payload = rawBody !== undefined ? str(rawBody) : body !== undefined ? goJSON(body) : '';

  const disable = config.get('disable_payload_signing');
  if (disable !== undefined && typeof disable !== 'boolean') {
    throw new BuiltinTypeError("operand 2 invalid value for 'disable_payload_signing' in AWS config");
  }
  const payloadHash = disable === true ? 'UNSIGNED-PAYLOAD' : sha256Hex(Buffer.from(payload, 'utf8'));

  const date = formatTime(ns, UTC, '20060102');
  const stamp = formatTime(ns, UTC, '20060102T150405Z');
  const awsHeaders = new Map<string, string>([['host', url.host], ['x-amz-date', stamp]]);
  // S3 and Glacier require the payload hash header; other services do not.
  if (service === 's3' || service === 'glacier') awsHeaders.set('x-amz-content-sha256', payloadHash);
  if (sessionToken !== '') awsHeaders.set('x-amz-security-token', sessionToken);

  const original = new Map<string, string>();
  for (const [k, v] of headers.entries()) original.set(str(k), str(v));
  // As in OPA, a request header overrides a same-named AWS header in what is
  // signed, while the returned request carries the AWS header's value.
  const toSign = new Map<string, string>(awsHeaders);
  for (const [k, v] of original) {
    const lower = k.toLowerCase();
    if (!IGNORED_HEADERS.has(lower)) toSign.set(lower, v);
  }

  const names = [...toSign.keys()].sort();
  const canonical = [
    method,
    url.path,
    url.query,
    ...names.map((k) => `${k}:${toSign.get(k)}`),
    '',
    names.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256Hex(canonical)].join('\n');
  let key = hmac(`AWS4${secretKey}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const signature = hmac(key, stringToSign).toString('hex');

  const signed = new RObject();
  for (const [k, v] of original) signed.set(k, v);
  signed.set('Authorization', `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope},SignedHeaders=${names.join(';')},Signature=${signature}`);
  for (const [k, v] of awsHeaders) signed.set(k, v);
  const out = new RObject(req.entries());
  out.set('headers', signed);
  return out;
}

registerBuiltins([
  { name: 'providers.aws.sign_req', args: ['object', 'object', 'number'], result: 'object', impl: signRequest },
]);
