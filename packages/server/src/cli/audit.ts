import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { Option, type Command } from 'commander';
import { headSignatureValid, readSignedHead, type PublicKeyView, type SignedHeadView } from './audit-head.js';
import { CliError, type ApiClient } from './client.js';
import type { RegisterCommands } from './context.js';
import { positiveInt, wholeNumber } from './numbers.js';
import { printable, printJson, printRecord, printTable } from './output.js';

interface EntryView {
  seq: number;
  time: string;
  type: string;
  actor: { kind: string; id: string };
  subject: string | null;
  agent_id: string | null;
  action: string;
  outcome: string;
  details: Record<string, unknown>;
}

interface Page {
  items: EntryView[];
  next_after_seq: number | null;
}

interface CheckpointView {
  seq: number;
  hash: string;
  time: string;
  key_id: string;
  signature: string;
}

interface VerifyView {
  ok: boolean;
  count: number;
  checkpoints: number;
  head: { seq: number; hash: string };
  archived: { seq: number; hash: string };
  first_bad_seq?: number;
  reason?: string;
  column?: string;
  message?: string;
}

/**
 * Checks a head saved earlier (`mandate audit head`) against the log now: its signature verifies
 * with the published key it names, the log still reaches its seq, and that entry still has its
 * hash. Throws a CliError (exit 1) saying which of these failed.
 */
async function checkPinnedHead(client: ApiClient, file: string, pinned: SignedHeadView, verified: VerifyView): Promise<void> {
  const { keys } = await client.request<{ keys: PublicKeyView[] }>('GET', '/v1/audit/keys');
  const key = keys.find((k) => k.kid === pinned.key_id);
  if (!key) throw new CliError(`pinned head ${file}: signed by key '${pinned.key_id}', which the server does not publish (GET /v1/audit/keys)`);
  if (!headSignatureValid(pinned, key)) throw new CliError(`pinned head ${file}: its signature does not verify with key '${pinned.key_id}': the file was altered or was not signed by this server`);
  if (verified.head.seq < pinned.seq) {
    throw new CliError(`pinned head ${file}: the log ends at seq ${verified.head.seq}, before the pinned seq ${pinned.seq}: entries were removed after the head was pinned`);
  }
  if (pinned.seq === 0) return;
  const page = await client.request<Page>('GET', `/v1/audit?order=asc&limit=1&after_seq=${pinned.seq - 1}`);
  const entry = page.items[0] as (EntryView & { hash: string }) | undefined;
  if (!entry || entry.seq !== pinned.seq) throw new CliError(`pinned head ${file}: entry ${pinned.seq} is missing from the log`);
  if (entry.hash !== pinned.hash) {
    throw new CliError(`pinned head ${file}: entry ${pinned.seq} hashes to ${entry.hash.slice(0, 12)}…, the head pinned at ${pinned.time} says ${pinned.hash.slice(0, 12)}…: the log up to seq ${pinned.seq} was rewritten after it was pinned`);
  }
}

interface ArchiveVerifyView {
  ok: boolean;
  segments: number;
  entries: number;
  checkpoints: number;
  last: { seq: number; hash: string };
  segment?: string;
  first_bad_seq?: number;
  reason?: string;
  message?: string;
}

/** Verifies an archive directory in this process (audit-archive-verify.ts, loaded only now) against the server's keys and live boundary. */
async function verifyArchiveHere(client: ApiClient, dir: string, live: VerifyView): Promise<ArchiveVerifyView> {
  const { keys } = await client.request<{ keys: PublicKeyView[] }>('GET', '/v1/audit/keys');
  const { verifyArchiveDir } = await import('./audit-archive-verify.js');
  return verifyArchiveDir(dir, keys, live.archived);
}

interface SegmentView {
  file: string;
  first_seq: number;
  last_seq: number;
  count: number;
  first_time: string;
  last_time: string;
  bytes: number;
  archived_at: string;
}

/** Filter flags shared by query, tail and export, and the query parameter each sets. */
const FILTER_FLAGS: ReadonlyArray<[flag: string, param: string, help: string]> = [
  ['--type <type>', 'type', "exact type or prefix such as 'token.*'"],
  ['--agent <id>', 'agent', 'entries about this agent'],
  ['--actor <id>', 'actor', 'entries by this actor'],
  ['--chain-id <id>', 'chain_id', 'everything done under one delegation chain root'],
  ['--subject <id>', 'subject', 'entries about this subject'],
  ['--outcome <outcome>', 'outcome', 'success, failure or denied'],
  ['--from <time>', 'from', 'ISO-8601, inclusive'],
  ['--to <time>', 'to', 'ISO-8601, exclusive'],
];

type Options = Record<string, string | number | boolean | undefined>;

function withFilters(command: Command, only?: string[]): Command {
  for (const [flag, param, help] of FILTER_FLAGS) if (!only || only.includes(param)) command.option(flag, help);
  return command;
}

function queryString(options: Options, extra: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [, param] of FILTER_FLAGS) {
    // commander names `--chain-id` chainId; the query parameter is chain_id.
    const value = options[param.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())];
    if (value !== undefined && value !== false) params.set(param, String(value));
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

const actorText = (actor: EntryView['actor']) => `${actor.kind}:${actor.id}`;
const COLUMNS = ['seq', 'time', 'type', 'actor', 'subject', 'action', 'outcome'];
const rowsOf = (items: EntryView[]) => items.map((e) => ({ ...e, actor: actorText(e.actor) }) as unknown as Record<string, unknown>);

function printLine(entry: EntryView, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(entry)}\n`);
  else process.stdout.write(`${printable(`${entry.seq}  ${entry.time}  ${entry.type}  ${actorText(entry.actor)}  ${entry.subject ?? '-'}  ${entry.action}  ${entry.outcome}`)}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `mandate audit tail|query|show|checkpoint|checkpoints|head|verify|export|archive list|run`. */
export const registerAuditCommands: RegisterCommands = (program, context) => {
  const audit = program.command('audit').description('query, follow, verify and export the audit log');

  withFilters(audit.command('tail').description('show the latest entries; -f keeps following new ones'), ['type', 'agent'])
    .option('-n, --lines <n>', 'how many recent entries to show first', positiveInt, 20)
    .option('-f, --follow', 'keep polling for new entries (Ctrl-C to stop)')
    .option('--interval <seconds>', 'polling interval with --follow', positiveInt, 1)
    .action(async (options: Options & { lines: number; follow?: boolean; interval: number }) => {
      const client = context.client();
      const json = Boolean(context.globals().json);
      // Follow from the newest entry overall, not the last match: a quiet filter must not rescan the
      // log. Read before the recent entries, so an entry appended in between is shown, not skipped.
      const newestBefore = options.follow ? ((await client.request<Page>('GET', '/v1/audit?limit=1')).items[0]?.seq ?? 0) : 0;
      const recent = await client.request<Page>('GET', `/v1/audit${queryString(options, { order: 'desc', limit: Math.min(options.lines, 1000) })}`);
      const shown = [...recent.items].reverse();
      for (const entry of shown) printLine(entry, json);
      if (!options.follow) return;
      let after = newestBefore;
      if (shown.length > 0) after = Math.max(after, shown[shown.length - 1]!.seq);
      for (;;) {
        await sleep(options.interval * 1000);
        const newest = (await client.request<Page>('GET', '/v1/audit?limit=1')).items[0]?.seq ?? after;
        let page: Page;
        do {
          page = await client.request<Page>('GET', `/v1/audit${queryString(options, { order: 'asc', limit: 1000, after_seq: after })}`);
          for (const entry of page.items) printLine(entry, json);
          if (page.items.length > 0) after = page.items[page.items.length - 1]!.seq;
        } while (page.next_after_seq !== null);
        after = Math.max(after, newest);
      }
    });

  withFilters(audit.command('query').description('search the audit log (newest first unless --order asc)'))
    .option('--limit <n>', 'entries per page (max 1000)', positiveInt, 100)
    .option('--after-seq <seq>', 'cursor from a previous page', wholeNumber)
    .addOption(new Option('--order <order>', 'desc (newest first) or asc').choices(['desc', 'asc']).default('desc'))
    .action(async (options: Options & { limit: number; afterSeq?: number; order: string }) => {
      if (options.order !== 'asc' && options.order !== 'desc') throw new CliError("--order must be 'asc' or 'desc'", 2);
      const page = await context
        .client()
        .request<Page>('GET', `/v1/audit${queryString(options, { limit: options.limit, order: options.order, after_seq: options.afterSeq })}`);
      if (context.globals().json) return printJson(page);
      printTable(rowsOf(page.items), COLUMNS);
      if (page.next_after_seq !== null) process.stdout.write(`\nmore: --after-seq ${page.next_after_seq}\n`);
    });

  audit
    .command('show')
    .description('show one entry in full (GET /v1/audit/entries/{seq})')
    .argument('<seq>', 'its sequence number', positiveInt)
    .action(async (seq: number) => {
      const entry = await context.client().request<EntryView>('GET', `/v1/audit/entries/${seq}`);
      if (context.globals().json) return printJson(entry);
      printRecord({ ...entry, actor: actorText(entry.actor) });
    });

  audit
    .command('checkpoint')
    .description('show the newest signed checkpoint (exit 1 before the first)')
    .action(async () => {
      const checkpoint = await context.client().request<Record<string, unknown>>('GET', '/v1/audit/checkpoints/latest');
      if (context.globals().json) return printJson(checkpoint);
      printRecord(checkpoint);
    });

  audit
    .command('checkpoints')
    .description('list the signed checkpoints, oldest first (a page at a time; `checkpoint` shows the newest)')
    .option('--after-seq <seq>', 'only checkpoints after this seq: the cursor a previous page printed', wholeNumber)
    .option('--limit <n>', 'checkpoints per page (max 1000)', positiveInt, 100)
    .action(async (options: { afterSeq?: number; limit: number }) => {
      const query = new URLSearchParams({ limit: String(options.limit), ...(options.afterSeq === undefined ? {} : { after_seq: String(options.afterSeq) }) });
      const page = await context.client().request<{ items: CheckpointView[]; next_after_seq: number | null }>('GET', `/v1/audit/checkpoints?${query}`);
      if (context.globals().json) return printJson(page);
      printTable(page.items as unknown as Array<Record<string, unknown>>, ['seq', 'time', 'key_id', 'hash']);
      if (page.next_after_seq !== null) process.stdout.write(`\nmore: --after-seq ${page.next_after_seq}\n`);
    });

  audit
    .command('head')
    .description('print the head signed now (JSON); keep it outside the database and check it later with verify --against')
    .option('--out <file>', 'also write it to this file')
    .action(async (options: { out?: string }) => {
      const head = await context.client().request<SignedHeadView>('GET', '/v1/audit/head');
      const text = `${JSON.stringify(head, null, 2)}\n`;
      if (options.out) writeFileSync(options.out, text, { mode: 0o644 });
      process.stdout.write(text);
    });

  audit
    .command('verify')
    .description('verify the hash chain, the head and every signed checkpoint; exit 1 when broken')
    .option('--against <file>', "also check a head saved earlier by 'mandate audit head': its signature, and that the log still holds that entry with that hash")
    .option('--archive <dir>', 'also verify an archive directory (audit.archiveDir) here, from the first entry to where the live log begins')
    .action(async (options: { against?: string; archive?: string }) => {
      // Read the pinned head first: a file that is not one is reported before any request.
      const pinned = options.against === undefined ? undefined : readSignedHead(options.against);
      const client = context.client();
      const result = await client.request<VerifyView>('GET', '/v1/audit/verify');
      const archive = options.archive === undefined ? undefined : await verifyArchiveHere(client, options.archive, result);
      if (context.globals().json) printJson(archive === undefined ? result : { ...result, ok: result.ok && archive.ok, archive });
      if (archive && !archive.ok) throw new CliError(`audit archive broken in segment ${archive.segment ?? '-'} at seq ${archive.first_bad_seq ?? '-'}: ${archive.reason} (${archive.message})`);
      if (!result.ok) throw new CliError(`audit log broken at seq ${result.first_bad_seq}: ${result.reason} (${result.message})`);
      if (pinned) await checkPinnedHead(client, options.against!, pinned, result);
      if (!context.globals().json) {
        if (archive) process.stdout.write(`ok: ${archive.entries} archived entries in ${archive.segments} segments (${archive.checkpoints} signed checkpoints) verify from seq 1 to ${archive.last.seq}, where the live log begins\n`);
        process.stdout.write(`ok: ${result.count} entries and ${result.checkpoints} signed checkpoints verify; head ${result.head.seq} ${result.head.hash}\n`);
        if (pinned) process.stdout.write(`ok: entry ${pinned.seq} still has the hash of the head pinned at ${pinned.time} (key ${pinned.key_id})\n`);
      }
    });

  const archive = audit.command('archive').description('retention: entries past audit.retentionDays in sealed segments (docs/audit.md)');
  archive
    .command('list')
    .description('the archive directory, where the live log begins, and every sealed segment')
    .action(async () => {
      const listing = await context
        .client()
        .request<{ dir: string; retention_days: number | null; archived: { seq: number; hash: string }; segments: SegmentView[] }>('GET', '/v1/audit/archive');
      if (context.globals().json) return printJson(listing);
      const retention = listing.retention_days === null ? 'off (every entry stays live)' : `${listing.retention_days} days`;
      process.stdout.write(`${printable(listing.dir)}: retention ${retention}; live log begins after seq ${listing.archived.seq}\n`);
      if (listing.segments.length > 0) {
        printTable(
          listing.segments.map((s) => ({ file: s.file, seqs: `${s.first_seq}-${s.last_seq}`, entries: s.count, from: s.first_time, to: s.last_time, bytes: s.bytes }) as Record<string, unknown>),
          ['file', 'seqs', 'entries', 'from', 'to', 'bytes'],
        );
      }
    });
  archive
    .command('run')
    .description('archive now: seal entries past retention into segments, then delete them from the live table')
    .action(async () => {
      const run = await context.client().request<{ written: SegmentView[]; finished: SegmentView[]; pruned: number; archived: { seq: number } }>('POST', '/v1/audit/archive/run');
      if (context.globals().json) return printJson(run);
      for (const s of run.finished) process.stdout.write(`finished ${s.file} (left by an interrupted run)\n`);
      for (const s of run.written) process.stdout.write(`sealed ${s.file}: ${s.count} entries, seq ${s.first_seq}-${s.last_seq}, ${s.bytes} bytes\n`);
      process.stdout.write(`pruned ${run.pruned} entries; the live log begins after seq ${run.archived.seq}\n`);
    });

  withFilters(audit.command('export').description('export entries as JSON lines (oldest first), to stdout or --out'))
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options: Options & { out?: string }) => {
      const body = await context.client().stream(`/v1/audit/export${queryString(options)}`);
      const sink = options.out ? createWriteStream(options.out, { mode: 0o600 }) : process.stdout;
      let lines = 0;
      for await (const chunk of body) {
        for (const byte of chunk) if (byte === 10) lines += 1;
        if (!sink.write(chunk)) await once(sink, 'drain');
      }
      if (options.out) {
        const file = sink as ReturnType<typeof createWriteStream>;
        await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
        process.stderr.write(`exported ${lines} entries to ${options.out}\n`);
      }
    });
};
