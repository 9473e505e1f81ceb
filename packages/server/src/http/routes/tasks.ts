import { Type } from '@sinclair/typebox';
import type { Actor } from '../../audit/index.js';
import { taskView, type Task } from '../../tasks/index.js';
import { NotFoundError, UnauthenticatedError, ValidationError } from '../../shared/errors.js';
import { requireOperator } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors, ErrorResponse, StoredInt } from '../schemas.js';

const tags = ['tasks'];
export const TaskSchema = Type.Object({
  id: Type.String(),
  agent_id: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  created_at: Type.String(),
  expires_at: Type.String(),
  closed_at: Type.Union([Type.String(), Type.Null()]),
});
const Revoked = Type.Array(Type.Object({ kind: Type.String(), id: Type.String(), detail: Type.Optional(Type.String()) }));
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/**
 * Tasks over HTTP: an agent opens its own tasks (an operator with tasks:manage names the
 * agent) and completes them; completion answers with what was revoked.
 */
export const taskRoutes: MandatePlugin = async (app, { runtime }) => {
  const { tasks, registry } = runtime;

  const who = (request: Parameters<typeof requireOperator>[0]): { actor: Actor; agentId: string | null } => {
    const principal = request.principal;
    if (!principal) throw new UnauthenticatedError();
    if (principal.kind === 'agent') return { actor: { kind: 'agent', id: principal.agentId }, agentId: principal.agentId };
    const operator = requireOperator(request, 'tasks:manage');
    return { actor: { kind: 'operator', id: operator.operatorId, roles: operator.roles }, agentId: null };
  };
  const mayTouch = (agentId: string | null) => (task: Task) => agentId === null || task.agentId === agentId;

  app.post(
    '/tasks',
    {
      schema: {
        tags,
        summary: 'Open a task; credentials issued with its id end with it',
        body: Type.Optional(
          Type.Object(
            { agent_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'operators only: the agent the task is for' })), ttl_seconds: Type.Optional(StoredInt()), description: Type.Optional(Type.String({ maxLength: 500 })) },
            { additionalProperties: false },
          ),
        ),
        response: { 201: TaskSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const { actor, agentId } = who(request);
      const body = request.body ?? {};
      let forAgent = agentId;
      if (forAgent === null) {
        if (!body.agent_id) throw new ValidationError('body.agent_id is required when an operator opens a task', { field: 'body.agent_id' });
        if (!(await registry.find(body.agent_id))) throw new NotFoundError('agent', body.agent_id);
        forAgent = body.agent_id;
      } else if (body.agent_id !== undefined && body.agent_id !== forAgent) {
        throw new ValidationError('an agent opens tasks for itself only', { field: 'body.agent_id' });
      }
      const task = await tasks.open(forAgent, { ttlSeconds: body.ttl_seconds, description: body.description }, actor);
      return reply.code(201).send(taskView(task));
    },
  );

  app.get('/tasks/:id', { schema: { tags, params: IdParams, response: { 200: TaskSchema, 404: ErrorResponse, ...authErrors } } }, async (request) => {
    const { agentId } = who(request);
    const task = await tasks.find(request.params.id);
    if (!task || !mayTouch(agentId)(task)) throw new NotFoundError('task', request.params.id);
    return taskView(task);
  });

  app.post(
    '/tasks/:id/complete',
    { schema: { tags, summary: "Complete a task: everything issued with its id is revoked", params: IdParams, response: { 200: Type.Object({ ...TaskSchema.properties, revoked: Revoked }), 404: ErrorResponse, 409: ErrorResponse, ...authErrors } } },
    async (request) => {
      const { actor, agentId } = who(request);
      const closed = await tasks.complete(request.params.id, actor, mayTouch(agentId));
      return { ...taskView(closed.task), revoked: closed.revoked };
    },
  );
};
