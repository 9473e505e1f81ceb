/** request.log made lazily: pino's child only when a line is written, the same line as before. */
import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { deferredChildLogger } from './request-logger.js';

/** A real pino logger writing JSON lines into `lines`, counting the children made from it. */
function countingLogger(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level }, sink);
  const child = logger.child.bind(logger);
  const counts = { children: 0 };
  logger.child = ((...args: Parameters<typeof child>) => {
    counts.children += 1;
    return child(...args);
  }) as typeof logger.child;
  return { logger, lines, counts };
}

async function appWith(level: string) {
  const { logger, lines, counts } = countingLogger(level);
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, childLoggerFactory: deferredChildLogger, genReqId: () => 'req-1' });
  app.get('/quiet', async () => ({ ok: true }));
  app.get('/fails', async (request) => {
    request.log.error({ detail: 7 }, 'route failed');
    return { ok: false };
  });
  app.get('/chatty', { logLevel: 'debug' }, async (request) => {
    request.log.debug('route detail');
    return { ok: true };
  });
  await app.ready();
  // Children Fastify made for itself at start (routes with their own level): not per request.
  const atStart = counts.children;
  return { app, lines, madePerRequest: () => counts.children - atStart };
}

describe('deferred request logger', () => {
  it('makes no child for a request that logs nothing at an enabled level', async () => {
    const { app, lines, madePerRequest } = await appWith('warn');
    for (let i = 0; i < 5; i += 1) expect((await app.inject({ url: '/quiet' })).statusCode).toBe(200);
    expect(madePerRequest()).toBe(0);
    expect(lines).toEqual([]);
    await app.close();
  });

  it('writes an enabled line through a child bound to the request id', async () => {
    const { app, lines, madePerRequest } = await appWith('warn');
    await app.inject({ url: '/fails' });
    expect(madePerRequest()).toBe(1);
    expect(lines).toEqual([expect.objectContaining({ level: 50, reqId: 'req-1', detail: 7, msg: 'route failed' })]);
    await app.close();
  });

  it("keeps Fastify's per-request lines at info, and a route's own level", async () => {
    const info = await appWith('info');
    await info.app.inject({ url: '/quiet' });
    expect(info.lines.map((line) => [line.msg, line.reqId])).toEqual([
      ['incoming request', 'req-1'],
      ['request completed', 'req-1'],
    ]);
    await info.app.close();
    const warn = await appWith('warn');
    await warn.app.inject({ url: '/chatty' });
    expect(warn.lines.filter((line) => line.msg === 'route detail')).toEqual([expect.objectContaining({ level: 20, reqId: 'req-1' })]);
    await warn.app.close();
  });
});
