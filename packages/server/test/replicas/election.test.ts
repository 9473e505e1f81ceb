import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/scheduler/index.js';
import { systemClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { AdvisoryLeader, CHANGE_TOPICS, openNotifier, type ChangeNotifier } from '../../src/storage/index.js';
import { createTestDatabase, pgServerUrl, queryOnce } from '../support/pg.js';

/**
 * The two PostgreSQL mechanisms replicas rely on, against a real PostgreSQL: the leader's
 * session advisory lock (one holder; released with its connection, also when that connection
 * is killed) and LISTEN/NOTIFY change notices (delivered on commit only, never for a rollback;
 * a dropped listening connection reconnects and resyncs). docs/replicas.md.
 */
const logger = createLogger('silent');
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

function leaderOn(url: string, id: string): AdvisoryLeader {
  const leader = new AdvisoryLeader({ url, replicaId: id, logger, now: () => Date.now(), queryTimeoutMs: 2_000 });
  closers.push(() => leader.close());
  return leader;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

describe.skipIf(pgServerUrl() === null)('leader election (advisory lock)', () => {
  it('lets one replica lead; when its connection is killed, another leads at its next round', async () => {
    const url = await createTestDatabase();
    const a = leaderOn(url, 'a');
    const b = leaderOn(url, 'b');
    await a.tick();
    await b.tick();
    expect([a.leader, b.leader]).toEqual([true, false]);
    expect(a.since).not.toBeNull();
    // Rounds on a follower do not steal the lock; rounds on the leader keep it.
    await b.tick();
    await a.tick();
    expect([a.leader, b.leader]).toEqual([true, false]);

    // The leader's session dies (as when its process is SIGKILLed): PostgreSQL frees the lock.
    await queryOnce(url, "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'mandate-leader a'");
    // The connection's error event ends leadership at once (a round would also find it dead).
    await until(() => !a.leader, 5_000);
    await b.tick();
    expect([a.leader, b.leader]).toEqual([false, true]);
    // The old leader reconnects as a follower: the lock is b's now.
    await a.tick();
    await a.tick();
    expect([a.leader, b.leader]).toEqual([false, true]);
  });

  it('releases the lock on close: the next replica leads at once', async () => {
    const url = await createTestDatabase();
    const a = leaderOn(url, 'a');
    const b = leaderOn(url, 'b');
    await a.tick();
    await b.tick();
    expect(b.leader).toBe(false);
    await a.close();
    await b.tick();
    expect(b.leader).toBe(true);
  });
});

describe.skipIf(pgServerUrl() === null)('change notices (LISTEN/NOTIFY)', () => {
  async function notifierOn(url: string, id: string): Promise<ChangeNotifier> {
    const scheduler = new Scheduler({ clock: systemClock, logger });
    const notifier = await openNotifier({ dialect: 'postgres', url, logger, scheduler, replicaId: id, reconnectDelayMs: 20, reconnectMaxDelayMs: 200 });
    closers.push(async () => {
      await notifier.close();
      await scheduler.stop();
    });
    return notifier;
  }

  it('delivers a notice to other replicas when its transaction commits, never after a rollback, and not to its publisher', async () => {
    const url = await createTestDatabase();
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) });
    closers.push(() => db.destroy());
    const a = await notifierOn(url, 'a');
    const b = await notifierOn(url, 'b');
    const heardByA: Array<string | null> = [];
    const heardByB: Array<string | null> = [];
    a.subscribe(CHANGE_TOPICS.agent, { onNotice: (id) => heardByA.push(id), resync: () => {} });
    b.subscribe(CHANGE_TOPICS.agent, { onNotice: (id) => heardByB.push(id), resync: () => {} });
    b.subscribe(CHANGE_TOPICS.policy, { onNotice: () => heardByB.push('policy?'), resync: () => {} });

    await db
      .transaction()
      .execute(async (trx) => {
        await a.publish(trx, CHANGE_TOPICS.agent, 'rolled-back');
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await db.transaction().execute(async (trx) => {
      await a.publish(trx, CHANGE_TOPICS.agent, 'client-1');
      // Not delivered before commit.
      await new Promise((r) => setTimeout(r, 100));
      expect(heardByB).toEqual([]);
    });
    await until(() => heardByB.length === 1, 2_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(heardByB).toEqual(['client-1']);
    expect(heardByA).toEqual([]);
  });

  it('reconnects after its listening connection is killed and resyncs every listener', async () => {
    const url = await createTestDatabase();
    const a = await notifierOn(url, 'a');
    const b = await notifierOn(url, 'b');
    let resyncs = 0;
    const heard: Array<string | null> = [];
    b.subscribe(CHANGE_TOPICS.revocation, { onNotice: (id) => heard.push(id), resync: () => void (resyncs += 1) });
    expect(b.listening).toBe(true);
    await queryOnce(url, "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'mandate-listen b'");
    await until(() => resyncs === 1 && b.listening, 5_000);
    // Listening again: the next notice arrives.
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
    closers.push(() => db.destroy());
    await a.publish(db, CHANGE_TOPICS.revocation, 42);
    await until(() => heard.length === 1, 2_000);
    expect(heard).toEqual(['42']);
  });
});
