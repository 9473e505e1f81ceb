import { Type } from '@sinclair/typebox';
import type { MandatePlugin } from '../plugin.js';

const Status = Type.Object({ status: Type.String() });
/** Readiness with this replica's place among several (docs/replicas.md): its id, whether it leads, whether it hears other replicas' change notices. */
const Ready = Type.Object({
  status: Type.String(),
  replica: Type.Optional(Type.String()),
  leader: Type.Optional(Type.Boolean()),
  store: Type.Optional(Type.String()),
  listening: Type.Optional(Type.Boolean()),
});

/** Liveness and readiness, as docs/contract.md: /healthz when the process is up, /readyz only when storage answers. */
export const healthRoutes: MandatePlugin = async (app, { runtime }) => {
  app.get('/healthz', { schema: { hide: true, response: { 200: Status } }, logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true, response: { 200: Ready, 503: Ready } }, logLevel: 'warn' }, async (_request, reply) => {
    const { replicaId, election, notifier } = runtime.replicas;
    const details = { replica: replicaId, leader: election.leader, store: runtime.store.dialect, listening: notifier.listening };
    try {
      await runtime.store.ping();
      return { status: 'ready', ...details };
    } catch {
      return reply.status(503).send({ status: 'storage unreachable', ...details });
    }
  });
};
