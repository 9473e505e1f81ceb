import { Readable } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { requireOperator } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors, ErrorResponse } from '../schemas.js';
import { archiveVerifyView, entryView, type AuditFilter } from '../../audit/index.js';

const Actor = Type.Object(
  { kind: Type.String(), id: Type.String() },
  { additionalProperties: true, description: 'operator (with roles), agent (with onBehalfOf and its delegation chain), system or anonymous' },
);

const Entry = Type.Object({
  seq: Type.Integer(),
  time: Type.String(),
  type: Type.String(),
  actor: Actor,
  subject: Type.Union([Type.String(), Type.Null()]),
  agent_id: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  outcome: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  prev_hash: Type.String(),
  hash: Type.String(),
});

const Filters = {
  type: Type.Optional(Type.String({ maxLength: 200, description: "exact type, or a prefix such as 'token.*'" })),
  agent: Type.Optional(Type.String({ maxLength: 200 })),
  actor: Type.Optional(Type.String({ maxLength: 200 })),
  chain_id: Type.Optional(Type.String({ maxLength: 200, description: 'everything done under one delegation chain root (the chain_id of its tokens)' })),
  subject: Type.Optional(Type.String({ maxLength: 200 })),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')])),
  from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO-8601, inclusive' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO-8601, exclusive' })),
  // Bounded so a huge number is a 400 here, not a bigint error in PostgreSQL.
  after_seq: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'cursor: entries after this seq in the chosen order' })),
};

const QuerySchema = Type.Object(
  {
    ...Filters,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    order: Type.Optional(Type.Union([Type.Literal('desc'), Type.Literal('asc')], { default: 'desc', description: 'desc: newest first' })),
  },
  { additionalProperties: false },
);

const ExportSchema = Type.Object(
  { ...Filters, order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' })) },
  { additionalProperties: false },
);

type FilterQuery = Static<typeof ExportSchema>;

function toFilter(query: FilterQuery): AuditFilter {
  const filter: AuditFilter = {};
  if (query.type !== undefined) filter.type = query.type;
  if (query.agent !== undefined) filter.agent = query.agent;
  if (query.actor !== undefined) filter.actor = query.actor;
  if (query.chain_id !== undefined) filter.chainId = query.chain_id;
  if (query.subject !== undefined) filter.subject = query.subject;
  if (query.outcome !== undefined) filter.outcome = query.outcome;
  if (query.from !== undefined) filter.from = query.from;
  if (query.to !== undefined) filter.to = query.to;
  if (query.after_seq !== undefined) filter.afterSeq = query.after_seq;
  if (query.order !== undefined) filter.order = query.order;
  return filter;
}

const Head = Type.Object({ seq: Type.Integer(), hash: Type.String() });

const ArchiveVerify = Type.Object(
  {
    ok: Type.Boolean(),
    segments: Type.Integer(),
    entries: Type.Integer(),
    checkpoints: Type.Integer(),
    last: Head,
    segment: Type.Optional(Type.String({ description: 'with a failure: the segment file' })),
    first_bad_seq: Type.Optional(Type.Integer()),
    reason: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
  },
  { description: 'with archive=true: the archive directory verified from the first entry to where the live log begins' },
);

const VerifyResponse = Type.Object({
  ok: Type.Boolean(),
  count: Type.Integer({ description: 'live entries verified' }),
  checkpoints: Type.Integer(),
  head: Head,
  archived: Type.Object({ seq: Type.Integer(), hash: Type.String() }, { description: 'where the live log begins: the last archived entry (seq 0: nothing archived)' }),
  archive: Type.Optional(ArchiveVerify),
  first_bad_seq: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.String()),
  column: Type.Optional(Type.String({ description: 'with column_mismatch: the column that disagrees with the hashed fields' })),
  blob: Type.Optional(Type.String({ description: 'with blob_mismatch: the SHA-256 the edited blob is stored under (with blob_missing: its id)' })),
  message: Type.Optional(Type.String()),
});

const PublicKey = Type.Object({
  kid: Type.String(),
  kty: Type.String(),
  crv: Type.String(),
  x: Type.String(),
  alg: Type.String(),
  use: Type.String(),
  created_at: Type.String(),
  retired_at: Type.Union([Type.String(), Type.Null()]),
});

const SignedHeadSchema = Type.Object(
  {
    purpose: Type.String({ description: "'mandate.audit.head.v1': what the signature is bound to" }),
    seq: Type.Integer(),
    hash: Type.String(),
    time: Type.String(),
    key_id: Type.String(),
    signature: Type.String({ description: 'Ed25519 over JCS({purpose, seq, hash, time}), base64url' }),
  },
  { description: 'the head signed now; save it outside the database and check it later with `mandate audit verify --against FILE`' },
);

const CheckpointSchema = Type.Object({ seq: Type.Integer(), hash: Type.String(), time: Type.String(), key_id: Type.String(), signature: Type.String() });

const CheckpointRecordSchema = Type.Object({ seq: Type.Integer(), hash: Type.String(), time: Type.String(), key_id: Type.String(), signature: Type.String() });

const SegmentSchema = Type.Object({
  file: Type.String(),
  first_seq: Type.Integer(),
  last_seq: Type.Integer(),
  count: Type.Integer(),
  prev_hash: Type.String({ description: 'the hash the first entry links to' }),
  first_hash: Type.String(),
  last_hash: Type.String(),
  first_time: Type.String(),
  last_time: Type.String(),
  bytes: Type.Integer(),
  sha256: Type.String(),
  checkpoint: Type.Object(CheckpointRecordSchema.properties, { description: 'signed over (last_seq, last_hash) when the segment was sealed' }),
  checkpoints: Type.Array(CheckpointRecordSchema, { description: "the live log's checkpoints that fell in the segment" }),
  archived_at: Type.String(),
});

const ArchiveListingSchema = Type.Object({
  dir: Type.String(),
  retention_days: Type.Union([Type.Number(), Type.Null()], { description: 'null: retention is off, every entry stays live' }),
  archived: Head,
  segments: Type.Array(SegmentSchema),
});

const ArchiveRunSchema = Type.Object({
  written: Type.Array(SegmentSchema),
  finished: Type.Array(SegmentSchema, { description: 'segments an interrupted run had sealed whose rows this run deleted' }),
  pruned: Type.Integer({ description: 'entries deleted from the live table' }),
  archived: Head,
});


/** The audit log: query, export (JSON lines), verify; the signed head, public keys and checkpoints for outside verifiers. */
export const auditRoutes: MandatePlugin = async (app, { runtime }) => {
  const { auditReader: log } = runtime;

  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        querystring: QuerySchema,
        response: { 200: Type.Object({ items: Type.Array(Entry), next_after_seq: Type.Union([Type.Integer(), Type.Null()]) }), ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'audit:read');
      const page = await log.page(toFilter({ order: 'desc', ...request.query }), request.query.limit ?? 100);
      return { items: page.entries.map(entryView), next_after_seq: page.nextAfterSeq };
    },
  );

  app.get(
    '/audit/export',
    { schema: { tags: ['audit'], querystring: ExportSchema, description: 'Matching entries as JSON lines (application/x-ndjson), streamed, oldest first by default.', response: authErrors } },
    async (request, reply) => {
      requireOperator(request, 'audit:read');
      const filter = toFilter(request.query);
      // Validate the filter (times, type pattern) before the 200 and the first byte go out.
      await log.page(filter, 1);
      async function* lines(): AsyncGenerator<string> {
        for await (const entry of log.entries(filter)) yield `${JSON.stringify(entryView(entry))}\n`;
      }
      // A stream bypasses the response serializer; the cast only quiets the schema-derived reply type.
      return reply.type('application/x-ndjson').send(Readable.from(lines()) as never);
    },
  );

  app.get(
    '/audit/verify',
    {
      schema: {
        tags: ['audit'],
        querystring: Type.Object(
          { archive: Type.Optional(Type.Boolean({ default: false, description: "also verify the server's archive directory (audit.archiveDir) from the first entry" })) },
          { additionalProperties: false },
        ),
        response: { 200: VerifyResponse, ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'audit:read');
      const { live: result, archive } = request.query.archive
        ? await log.verifyWithArchive(runtime.auditArchive.settings.dir)
        : { live: await log.verify(), archive: undefined };
      return {
        ok: result.ok && (archive?.ok ?? true),
        count: result.count,
        checkpoints: result.checkpoints,
        head: result.head,
        archived: result.archived,
        ...(archive === undefined ? {} : { archive: archiveVerifyView(archive) }),
        ...(result.ok ? {} : { first_bad_seq: result.firstBadSeq, reason: result.reason, ...(result.column === undefined ? {} : { column: result.column }), ...(result.blob === undefined ? {} : { blob: result.blob }), message: result.message }),
      };
    },
  );

  app.get(
    '/audit/archive',
    {
      schema: {
        tags: ['audit'],
        summary: 'The archive: its directory, the retention period, where the live log begins, and every sealed segment',
        response: { 200: ArchiveListingSchema, ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'audit:read');
      const listing = await runtime.auditArchive.list();
      return { dir: listing.dir, retention_days: listing.retentionDays, archived: listing.archived, segments: listing.segments };
    },
  );

  app.post(
    '/audit/archive/run',
    {
      schema: {
        tags: ['audit'],
        summary: 'Archive now: move entries past audit.retentionDays into sealed segments, then delete them from the live table',
        response: { 200: ArchiveRunSchema, 409: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'audit:archive');
      // The leader archives (the job `audit.archive`): segments go to its archive directory,
      // which is per host by default; a run elsewhere would write them where nothing reads them.
      if (!runtime.replicas.election.leader) {
        throw new ConflictError(`replica ${runtime.replicas.replicaId} does not lead: archiving runs on the leader (GET /v1/jobs says which replica leads); send this there`);
      }
      const run = await runtime.auditArchive.run();
      return { written: run.written, finished: run.finished, pruned: run.pruned, archived: run.archived };
    },
  );

  app.get(
    '/audit/checkpoints',
    {
      schema: {
        tags: ['audit'],
        querystring: Type.Object(
          { after_seq: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(CheckpointSchema), next_after_seq: Type.Union([Type.Integer(), Type.Null()]) }), ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'audit:read');
      const page = await log.checkpoints(request.query.after_seq ?? 0, request.query.limit ?? 100);
      const items = page.checkpoints.map((c) => ({ seq: c.seq, hash: c.hash, time: c.time, key_id: c.keyId, signature: c.signature }));
      return { items, next_after_seq: page.nextAfterSeq };
    },
  );

  app.get(
    '/audit/checkpoints/latest',
    {
      schema: {
        tags: ['audit'],
        summary: 'The newest signed checkpoint (404 before the first)',
        response: { 200: CheckpointSchema, 404: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'audit:read');
      const c = await log.latestCheckpoint();
      if (!c) throw new NotFoundError('audit checkpoint', 'latest');
      return { seq: c.seq, hash: c.hash, time: c.time, key_id: c.keyId, signature: c.signature };
    },
  );

  app.get(
    '/audit/entries/:seq',
    {
      schema: {
        tags: ['audit'],
        summary: 'One audit entry by its sequence number',
        params: Type.Object({ seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        response: { 200: Entry, 404: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'audit:read');
      const entry = await log.entry(request.params.seq);
      if (!entry) throw new NotFoundError('audit entry', String(request.params.seq));
      return entryView(entry);
    },
  );

  app.get(
    '/audit/head',
    { schema: { tags: ['audit'], response: { 200: SignedHeadSchema, 409: ErrorResponse, ...authErrors } } },
    async (request) => {
      requireOperator(request, 'audit:read');
      const head = await log.signedHead(runtime.auditKeys, runtime.clock.now());
      return { purpose: head.purpose, seq: head.seq, hash: head.hash, time: head.time, key_id: head.keyId, signature: head.signature };
    },
  );

  // Public keys are public: anyone holding an export and its checkpoints can check the signatures.
  app.get(
    '/audit/keys',
    { config: { public: true }, schema: { tags: ['audit'], security: [], response: { 200: Type.Object({ keys: Type.Array(PublicKey) }) } } },
    async () => ({ keys: await log.publicKeys() }),
  );
};
