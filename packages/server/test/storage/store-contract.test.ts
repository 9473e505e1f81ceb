import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { MIGRATIONS } from '../../src/migrations.js';
import { openStore, type Store } from '../../src/storage/database.js';
import { isUniqueViolation, uniquely } from '../../src/storage/errors.js';
import { ConflictError } from '../../src/shared/errors.js';
import { Envelope } from '../../src/crypto/envelope.js';
import { checkMasterKey, MasterKeyError } from '../../src/crypto/master-key.js';
import { AuditLog } from '../../src/audit/log.js';
import { GENESIS_HASH, entryHash } from '../../src/audit/hash.js';
import { ManualClock } from '../../src/shared/clock.js';
import { newStoreLocation, storeKinds, type TestStoreLocation } from '../support/stores.js';

/**
 * The store contract (STYLE.md §5): every backend passes the same suite. Context-specific
 * contract suites (registry, oauth, …) live beside this one and use the same `storeKinds()`.
 */
describe.each(storeKinds())('store contract on %s', (kind) => {
  let location: TestStoreLocation;
  let store: Store;

  beforeAll(async () => {
    location = await newStoreLocation(kind);
    store = await openStore({ ...location, migrations: MIGRATIONS });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('applies migrations once and reopens without reapplying them', async () => {
    await store.db.insertInto('meta').values({ key: 'probe', value: 'x' }).execute();
    const again = await openStore({ ...location, migrations: MIGRATIONS });
    const row = await again.db.selectFrom('meta').select('value').where('key', '=', 'probe').executeTakeFirst();
    await again.close();
    expect(row?.value).toBe('x');
  });

  it('maps unique violations of both dialects to one error type', async () => {
    await store.db.insertInto('meta').values({ key: 'dup', value: '1' }).execute();
    const failure = await store.db
      .insertInto('meta')
      .values({ key: 'dup', value: '2' })
      .execute()
      .catch((error: unknown) => error);
    expect(isUniqueViolation(failure)).toBe(true);
    await expect(
      uniquely(() => store.db.insertInto('meta').values({ key: 'dup', value: '3' }).execute(), 'dup exists'),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('rolls back everything a failed transaction wrote', async () => {
    await expect(
      store.transaction(async (trx) => {
        await trx.insertInto('meta').values({ key: 'tx-a', value: '1' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const row = await store.db.selectFrom('meta').selectAll().where('key', '=', 'tx-a').executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('refuses a different master key and changes nothing', async () => {
    const key = randomBytes(32);
    await checkMasterKey(store.db, new Envelope(key));
    await checkMasterKey(store.db, new Envelope(key));
    const before = await store.db.selectFrom('meta').selectAll().execute();
    await expect(checkMasterKey(store.db, new Envelope(randomBytes(32)))).rejects.toBeInstanceOf(MasterKeyError);
    const after = await store.db.selectFrom('meta').selectAll().execute();
    expect(after).toEqual(before);
  });

  it('chains audit entries and keeps an entry only when its transaction commits', async () => {
    const audit = new AuditLog({ store, clock: new ManualClock(), hmacKey: randomBytes(32) });
    const actor = { kind: 'system', id: 'test' } as const;
    const [first] = await audit.append({ type: 'test.event', actor, action: 'one', outcome: 'success', details: { secret: 'hunter2' }, sensitive: ['secret'] });
    expect(first!.seq).toBe(1);
    expect(first!.prevHash).toBe(GENESIS_HASH);
    expect(first!.details.secret).toMatch(/^hmac-sha256:/);
    await audit.withEntry(async (trx) => {
      await trx.insertInto('meta').values({ key: 'committed', value: 'yes' }).execute();
      return { result: null, events: [{ type: 'test.event', actor, action: 'two', outcome: 'success' }] };
    });
    await expect(
      audit.withEntry(async () => {
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    const rows = await store.db.selectFrom('audit_entries').selectAll().orderBy('seq').execute();
    expect(rows.map((r) => r.action)).toEqual(['one', 'two']);
    const second = rows[1]!;
    expect(second.prev_hash).toBe(first!.hash);
    const head = await audit.head();
    expect(head).toEqual({ seq: 2, hash: second.hash });
    const recomputed = entryHash({
      seq: Number(second.seq), time: second.time, type: second.type, actor: JSON.parse(second.actor), subject: second.subject,
      agentId: second.agent_id, action: second.action, outcome: second.outcome as 'success', details: JSON.parse(second.details), prevHash: second.prev_hash,
    });
    expect(recomputed).toBe(second.hash);
  });

  it('serialises concurrent appends into one unbroken chain', async () => {
    const audit = new AuditLog({ store, clock: new ManualClock(), hmacKey: randomBytes(32) });
    const actor = { kind: 'system', id: 'test' } as const;
    const start = (await audit.head()).seq;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => audit.append({ type: 'test.concurrent', actor, action: `c${i}`, outcome: 'success' })),
    );
    const rows = await store.db.selectFrom('audit_entries').select(['seq', 'prev_hash', 'hash']).where('seq', '>', start).orderBy('seq').execute();
    expect(rows).toHaveLength(20);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    const { rows: count } = await sql<{ n: number }>`select count(*) as n from audit_entries`.execute(store.db);
    expect(Number(count[0]!.n)).toBe(start + 20);
  });
});
