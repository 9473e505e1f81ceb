import { Type } from '@sinclair/typebox';
import { requireOperator } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors } from '../schemas.js';

const JobSchema = Type.Object({
  name: Type.String(),
  kind: Type.Union([Type.Literal('periodic'), Type.Literal('deadline')]),
  every_ms: Type.Union([Type.Integer(), Type.Null()]),
  singleton: Type.Boolean(),
  next_run_at: Type.Union([Type.String(), Type.Null()]),
  last_run_at: Type.Union([Type.String(), Type.Null()]),
  last_duration_ms: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  runs: Type.Integer(),
  failures: Type.Integer(),
  running: Type.Boolean(),
});

/** The scheduler's jobs, in one place: what runs when, and what failed last (admins, auditors). */
export const jobRoutes: MandatePlugin = async (app, { runtime }) => {
  app.get(
    '/jobs',
    {
      schema: {
        tags: ['system'],
        summary: 'Scheduled jobs: name, interval, next run, last run and last error',
        response: {
          200: Type.Object({
            items: Type.Array(JobSchema),
            /** Whether this replica runs the singleton jobs now (holds the leader lock; always on SQLite), and since when. */
            leader: Type.Boolean(),
            leader_since: Type.Union([Type.String(), Type.Null()]),
            replica: Type.String(),
          }),
          ...authErrors,
        },
      },
    },
    async (request) => {
      requireOperator(request, 'system:read');
      const { election, replicaId } = runtime.replicas;
      return { items: runtime.scheduler.list(), leader: election.leader, leader_since: election.since === null ? null : new Date(election.since).toISOString(), replica: replicaId };
    },
  );
};
