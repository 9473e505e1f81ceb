import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { isLoopbackHost, isPublicAddress } from './addresses.js';

/** Why a metadata document could not be fetched: the message names the rule or limit it hit. */
export class CimdFetchError extends Error {}

export interface SafeFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Development on a loopback issuer: http and loopback addresses are allowed for loopback hosts only. */
  allowLoopback: boolean;
  /** Extra trusted CA certificates (PEM), besides Node's: a company CA serving internal clients' documents. */
  ca?: string | undefined;
  /** DNS resolution (node:dns lookup by default); tests pass their own. */
  lookup?: typeof dnsLookup;
}

export interface FetchedDocument {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A DNS lookup that refuses private, link-local and (outside development) loopback addresses.
 * It is the socket's own `lookup`, so the address checked is the address connected to: a
 * name that resolves differently a second time (DNS rebinding) cannot slip past.
 */
function guardedLookup(allowLoopback: boolean, resolve: typeof dnsLookup): LookupFunction {
  return ((hostname: string, options: object, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const list = addresses as LookupAddress[];
      const bad = list.find((entry) => !isPublicAddress(entry.address, allowLoopback));
      if (bad || list.length === 0) return callback(new CimdFetchError(`'${hostname}' resolves to ${bad ? `a non-public address (${bad.address})` : 'no address'}; metadata documents are fetched only from public addresses`), '');
      const wantsAll = (options as { all?: boolean }).all === true;
      if (wantsAll) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  }) as LookupFunction;
}

/**
 * GETs a Client ID Metadata Document with the SSRF guards of docs/security.md "Client ID
 * Metadata Documents": https only (http only for a loopback host in development), public
 * addresses only (checked at connect time, see guardedLookup), no redirects followed, at most
 * `maxBytes` read and `timeoutMs` for the whole exchange. node:https with a custom lookup: no
 * new dependency.
 */
export function fetchMetadataDocument(url: URL, options: SafeFetchOptions): Promise<FetchedDocument> {
  const loopbackHost = isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowLoopback && loopbackHost)) {
    return Promise.reject(new CimdFetchError('a client_id metadata document URL must use https'));
  }
  // An IP literal never goes through `lookup` (node:net connects to it directly): checked here.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) !== 0 && !isPublicAddress(literal, options.allowLoopback)) {
    return Promise.reject(new CimdFetchError(`'${literal}' is not a public address; metadata documents are fetched only from public addresses`));
  }
  const lookup = guardedLookup(options.allowLoopback, options.lookup ?? dnsLookup);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(error instanceof CimdFetchError ? error : new CimdFetchError(`fetching the metadata document failed: ${error.message}`));
    };
    const ca = options.ca === undefined ? {} : { ca: [...rootCertificates, options.ca] };
    const request = client.get(url, { lookup, headers: { accept: 'application/json' }, agent: false, ...ca }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) return fail(new CimdFetchError(`the metadata document URL answered a redirect (${status}); redirects are not followed`));
      if (status !== 200) return fail(new CimdFetchError(`the metadata document URL answered HTTP ${status}`));
      const declared = Number(response.headers['content-length'] ?? '0');
      if (declared > options.maxBytes) return fail(new CimdFetchError(`the metadata document is larger than ${options.maxBytes} bytes (authorization.cimdMaxBytes)`));
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) return fail(new CimdFetchError(`the metadata document is larger than ${options.maxBytes} bytes (authorization.cimdMaxBytes)`));
        chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status, body: Buffer.concat(chunks).toString('utf8'), headers: response.headers });
      });
    });
    request.on('error', fail);
    const timer = setTimeout(() => fail(new CimdFetchError(`fetching the metadata document took longer than ${options.timeoutMs} ms (authorization.cimdTimeoutMs)`)), options.timeoutMs);
  });
}
