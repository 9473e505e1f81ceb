import { NetworkError, ResponseError } from './errors.js';

/** The global fetch's shape; injectable so tests and runtimes can supply their own. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** fetch that turns transport failures into NetworkError (retryable) and keeps aborts as they are. */
export async function send(fetchImpl: FetchLike, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetchImpl(url, init);
  } catch (error) {
    if (init.signal?.aborted) throw init.signal.reason ?? error;
    throw new NetworkError(url, error);
  }
}

/** The JSON body of a response, or undefined when it is not JSON (an error page from a proxy). */
export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export async function requireJsonObject(response: Response, what: string): Promise<Record<string, unknown>> {
  const body = await readJson(response);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ResponseError(`${what}: expected a JSON object (HTTP ${response.status})`, response.status);
  }
  return body as Record<string, unknown>;
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${btoa(`${encode(clientId)}:${encode(clientSecret)}`)}`;
}
