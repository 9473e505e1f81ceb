import { timingSafeEqual } from 'node:crypto';
import type { Alert as SdkAlert } from '@mandate/sdk';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ALERT_SIGNAL_NAMES, ALERT_STATUSES, NOTE_MAX_LENGTH, SERIES_BUCKETS_MAX, SERIES_WINDOWS, SEVERITIES, UNUSED_DAYS_MAX, WINDOW_NAMES, alertView, type AlertAction, type AlertView, type SeriesWindow, type SignalSeries } from '../../monitoring/index.js';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors.js';
import { requireOperator } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors, ErrorResponse, Page, Paging, type SdkShapeMatches } from '../schemas.js';
import { operatorAccess } from './agents.js';

const Enum = (values: readonly string[]) => Type.Unsafe<string>({ type: 'string', enum: [...values] });

/** The SDK's `Alert` (what the console, the CLI and webhook receivers read) has this view's members: a type error here when they drift. */
const sdkAlertMatches: SdkShapeMatches<AlertView, SdkAlert> = true;
void sdkAlertMatches;

const AlertSchema = Type.Object({
  id: Type.String(),
  agent_id: Type.String(),
  signal: Enum(ALERT_SIGNAL_NAMES),
  window: Enum(WINDOW_NAMES),
  severity: Enum(SEVERITIES),
  observed: Type.Number(),
  baseline: Type.Object({ mean: Type.Number(), deviation: Type.Number() }),
  reason: Type.String(),
  sample_seqs: Type.Array(Type.Integer(), { description: 'audit sequence numbers of sample events (GET /v1/audit)' }),
  status: Enum(ALERT_STATUSES),
  agent_suspended: Type.Boolean(),
  raised_at: Type.String(),
  acknowledged_at: Type.Union([Type.String(), Type.Null()]),
  acknowledged_by: Type.Union([Type.String(), Type.Null()]),
  resolved_at: Type.Union([Type.String(), Type.Null()]),
  resolved_by: Type.Union([Type.String(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const NoteBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: NOTE_MAX_LENGTH })) }, { additionalProperties: false });
const Classes = Type.Array(Type.String());

const UnusedSchema = Type.Object({
  agent_id: Type.String(),
  days: Type.Integer(),
  since: Type.String(),
  decisions_read: Type.Integer(),
  complete: Type.Boolean(),
  unused: Type.Object({ scopes: Type.Array(Type.String()), tools: Type.Array(Type.String()), data_classifications: Classes }),
  suggested_patch: Type.Union([
    Type.Object({ scopes: Type.Optional(Type.Array(Type.String())), tools: Type.Optional(Type.Array(Type.String())), data_classification: Type.Optional(Type.String()) }),
    Type.Null(),
  ]),
});

const Line = Type.Object({
  kind: Type.Union([Type.Literal('rate'), Type.Literal('event')]),
  observed: Type.Array(Type.Number()),
  mean: Type.Array(Type.Number()),
  deviation: Type.Array(Type.Number()),
  threshold: Type.Array(Type.Union([Type.Number(), Type.Null()])),
});

const SeriesSchema = Type.Object({
  agent_id: Type.String(),
  window: Enum(SERIES_WINDOWS),
  bucket_seconds: Type.Integer(),
  times: Type.Array(Type.String(), { description: 'start of each bucket, oldest first' }),
  signals: Type.Record(Type.String(), Line, { description: 'signal name → its observed values and baseline per bucket' }),
  entries_read: Type.Integer(),
  complete: Type.Boolean(),
});

const seriesView = (s: SignalSeries) => ({
  agent_id: s.agentId,
  window: s.window,
  bucket_seconds: s.bucketSeconds,
  times: s.times,
  signals: s.signals as Record<string, NonNullable<SignalSeries['signals'][keyof SignalSeries['signals']]>>,
  entries_read: s.entriesRead,
  complete: s.complete,
});

const Buckets = Type.Optional(Type.Integer({ minimum: 1, maximum: SERIES_BUCKETS_MAX }));

/** Loopback peers: Prometheus on the same host scrapes without a token when none is configured. */
function fromLoopback(request: FastifyRequest): boolean {
  const address = request.socket.remoteAddress ?? '';
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function tokenMatches(expected: string, header: string | undefined): boolean {
  const presented = /^Bearer (.+)$/i.exec(header ?? '')?.[1];
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `GET /metrics` (Prometheus text format): with `monitoring.metricsToken` set, only a request
 * bearing it (`Authorization: Bearer …`, Prometheus' `authorization` scrape setting); without
 * one, only from loopback. Either way the metric values (counts, latencies, agent ids of
 * failed authentications) never reach the open network unasked.
 */
export const metricsRoutes: MandatePlugin = async (app, { runtime }) => {
  const token = runtime.config.monitoring.metricsToken;
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (token !== undefined) {
      if (!tokenMatches(token, request.headers.authorization)) {
        void reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new UnauthenticatedError('GET /metrics needs the bearer token configured as monitoring.metricsToken');
      }
    } else if (!fromLoopback(request)) {
      throw new ForbiddenError('GET /metrics is served to loopback only; set monitoring.metricsToken to scrape it from elsewhere');
    }
    const { body, contentType } = await runtime.metrics.exposition();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
};

/** Alerts (list, read, acknowledge, resolve, chart), an agent's signal series and the least-privilege report, under /v1. */
export const monitoringRoutes: MandatePlugin = async (app, { runtime }) => {
  const { monitoring, registry } = runtime;
  const tags = ['monitoring'];

  app.get(
    '/alerts',
    {
      schema: {
        tags,
        summary: 'Alerts raised by the monitor, newest first',
        querystring: Type.Object(
          {
            status: Type.Optional(Enum(ALERT_STATUSES)),
            agent: Type.Optional(Type.String({ maxLength: 200 })),
            signal: Type.Optional(Enum(ALERT_SIGNAL_NAMES)),
            severity: Type.Optional(Enum(SEVERITIES)),
            ...Paging,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(AlertSchema), ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'alerts:read');
      const q = request.query as { status?: (typeof ALERT_STATUSES)[number]; agent?: string; signal?: string; severity?: string; limit?: number; cursor?: string };
      const page = await monitoring.list({ status: q.status, agentId: q.agent, signal: q.signal, severity: q.severity, limit: q.limit, cursor: q.cursor });
      return { items: page.items.map(alertView), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/alerts/:id',
    { schema: { tags, summary: 'One alert', params: IdParams, response: { 200: AlertSchema, 404: ErrorResponse, ...authErrors } } },
    async (request) => {
      requireOperator(request, 'alerts:read');
      return alertView(await monitoring.get(request.params.id));
    },
  );

  const respond = (action: AlertAction, summary: string) =>
    app.post(
      `/alerts/:id/${action}`,
      {
        schema: { tags, summary, params: IdParams, body: NoteBody, response: { 200: AlertSchema, 404: ErrorResponse, 409: ErrorResponse, ...authErrors } },
        // The note is optional, and so is the body (`curl -X POST …/ack`): none is an empty one.
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => {
        const principal = requireOperator(request, 'alerts:manage');
        const note = (request.body as { note?: string }).note ?? null;
        return alertView(await monitoring.respond(request.params.id, action, { kind: 'operator', id: principal.operatorId, roles: principal.roles }, note));
      },
    );
  respond('ack', 'Acknowledge an alert (someone is on it)');
  respond('resolve', 'Resolve an alert (an acknowledged or open one)');

  app.get(
    '/alerts/:id/series',
    {
      schema: {
        tags,
        summary: "An alert's chart: its signal's observed value against the baseline per bucket, around when it was raised",
        params: IdParams,
        querystring: Type.Object({ buckets: Buckets }, { additionalProperties: false }),
        response: { 200: Type.Object({ alert: AlertSchema, series: SeriesSchema }), 404: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'alerts:read');
      const { alert, series } = await monitoring.alertSeries(request.params.id, (request.query as { buckets?: number }).buckets ?? 48);
      return { alert: alertView(alert), series: seriesView(series) };
    },
  );

  app.get(
    '/agents/:id/signals',
    {
      schema: {
        tags: ['agents', ...tags],
        summary: "The agent's six monitor signals per bucket of a window, each with the baseline it was judged against (rebuilt from the audit log)",
        params: IdParams,
        querystring: Type.Object({ window: Type.Optional(Enum(SERIES_WINDOWS)), buckets: Buckets }, { additionalProperties: false }),
        response: { 200: SeriesSchema, 404: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      const { access } = operatorAccess(request, 'agents:read');
      const agent = await registry.get(request.params.id, access);
      const q = request.query as { window?: SeriesWindow; buckets?: number };
      return seriesView(await monitoring.signalSeries(agent.id, q.window ?? '1h', q.buckets ?? 48));
    },
  );

  app.get(
    '/agents/:id/unused-permissions',
    {
      schema: {
        tags: ['agents', ...tags],
        summary: 'Least-privilege report: scopes, tools and data classes granted but unused in the last N days, and a PATCH body that drops them',
        params: IdParams,
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: UNUSED_DAYS_MAX })) }, { additionalProperties: false }),
        response: { 200: UnusedSchema, 404: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      const { access } = operatorAccess(request, 'agents:read');
      const agent = await registry.get(request.params.id, access);
      const days = (request.query as { days?: number }).days;
      const report = await monitoring.unusedPermissions(agent.id, agent, days);
      return {
        agent_id: report.agentId,
        days: report.days,
        since: report.since,
        decisions_read: report.decisionsRead,
        complete: report.complete,
        unused: { scopes: report.unused.scopes, tools: report.unused.tools, data_classifications: report.unused.dataClassifications },
        suggested_patch: report.suggestedPatch,
      };
    },
  );
};
