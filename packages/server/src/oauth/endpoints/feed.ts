import type { EndpointCallers } from '../callers.js';
import { InvalidRequest } from '../errors.js';
import type { FeedPage, Revocations } from '../revocation.js';
import type { FeedRequest } from './request.js';

/** An integer query parameter within [min, max] (larger values are capped), or the fallback. */
function integer(name: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,15}$/.test(value)) throw new InvalidRequest(`${name} must be a non-negative integer`);
  const n = Number(value);
  if (n < min) throw new InvalidRequest(`${name} must be at least ${min}`);
  return Math.min(n, max);
}

/**
 * The revocation feed (docs/oauth.md): resource servers and operators read revocations after a
 * cursor, long-polling up to `wait` seconds for the next ones.
 */
export class FeedEndpoint {
  constructor(
    private readonly callers: EndpointCallers,
    private readonly revocations: Revocations,
    private readonly maxWaitSeconds: number,
  ) {}

  async handle(request: FeedRequest, signal?: AbortSignal): Promise<FeedPage> {
    const after = integer('after', request.after, 0, Number.MAX_SAFE_INTEGER, 0);
    const wait = integer('wait', request.wait, 0, this.maxWaitSeconds, 0);
    const limit = integer('limit', request.limit, 1, 1000, 500);
    await this.callers.resourceServerOrOperator(request.authorization, new Map());
    return this.revocations.wait(after, limit, wait * 1000, signal);
  }
}
