import { Type } from '@sinclair/typebox';
import type { MandatePlugin } from '../plugin.js';

const Status = Type.Object({ status: Type.String() });

/** Liveness and readiness, as docs/contract.md: /healthz when the process is up, /readyz only when storage answers. */
export const healthRoutes: MandatePlugin = async (app, { runtime }) => {
  app.get('/healthz', { schema: { hide: true, response: { 200: Status } }, logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true, response: { 200: Status, 503: Status } }, logLevel: 'warn' }, async (_request, reply) => {
    try {
      await runtime.store.ping();
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ status: 'storage unreachable' });
    }
  });
};
