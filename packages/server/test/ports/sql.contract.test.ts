import assert from 'node:assert/strict';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { isAbortedTransactionError, type Migration, sql as rawSql } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../../src/ports/sql/migrate.ts';
import { allMigrations } from '../../src/ports/sql/migrations/index.ts';
import { openSql } from '../../src/ports/sql/open-sql.ts';
import { openPgliteSql } from '../../src/ports/sql/pglite-driver.ts';
import { openPostgresSql } from '../../src/ports/sql/postgres-driver.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import { freshPgliteDir, removeFreshPgliteDirs, removePgliteDir } from '../support/pglite-template.ts';
import { serviceGate, testPostgresUrl } from '../support/services.ts';
import { createTestDatabase } from '../support/test-database.ts';

/** A database of its own for one test: open it (again and again), then dispose of it. */
interface Fixture {
  open(): Promise<SqlPort>;
  dispose(): Promise<void>;
}

type FreshDatabase = (options: { migrated: boolean }) => Promise<Fixture>;

const migrationNames = Object.keys(allMigrations).sort();
const postgresSkip = await serviceGate('postgres');

async function metaKeys(sql: SqlPort, prefix: string): Promise<string[]> {
  const rows = await sql.db
    .selectFrom('guichet_meta')
    .select('key')
    .where('key', 'like', `${prefix}%`)
    .orderBy('key')
    .execute();
  return rows.map((row) => row.key);
}

async function tableExists(sql: SqlPort, table: string): Promise<boolean> {
  const { rows } = await rawSql<{
    found: string | null;
  }>`select to_regclass(${table})::text as found`.execute(sql.db);
  return rows[0]?.found != null;
}

function sqlContract(
  name: string,
  driver: SqlPort['driver'],
  fresh: FreshDatabase,
  options: { skip: false | string },
): void {
  describe(`SqlPort contract: ${name}`, { skip: options.skip }, () => {
    let shared: Fixture;
    let sql: SqlPort;

    before(async () => {
      shared = await fresh({ migrated: true });
      sql = await shared.open();
    });

    after(async () => {
      await sql?.close();
      await shared?.dispose();
    });

    it('names its driver and answers ping', async () => {
      assert.equal(sql.driver, driver);
      await sql.ping();
    });

    it('applies pending migrations once, then has nothing to apply', async () => {
      const fixture = await fresh({ migrated: false });
      const own = await fixture.open();
      try {
        assert.equal(await tableExists(own, 'guichet_meta'), false);
        assert.deepEqual(await migrateToLatest(own), migrationNames);
        assert.deepEqual(await migrateToLatest(own), []);
        assert.equal(await tableExists(own, 'guichet_meta'), true);
        const { rows } = await rawSql<{
          name: string;
        }>`select name from guichet_migration order by name`.execute(own.db);
        assert.deepEqual(
          rows.map((row) => row.name),
          migrationNames,
        );
      } finally {
        await own.close();
        await fixture.dispose();
      }
    });

    it('inserts, selects, updates and deletes rows of guichet_meta', async () => {
      const before = Date.now();
      const inserted = await sql.db
        .insertInto('guichet_meta')
        .values({ key: 'crud', value: 'one' })
        .executeTakeFirstOrThrow();
      assert.equal(inserted.numInsertedOrUpdatedRows, 1n);

      const row = await sql.db
        .selectFrom('guichet_meta')
        .selectAll()
        .where('key', '=', 'crud')
        .executeTakeFirstOrThrow();
      assert.equal(row.value, 'one');
      assert.ok(row.updated_at instanceof Date, 'updated_at comes back as a Date');
      // The database clock fills updated_at; allow for a little skew against ours.
      assert.ok(Math.abs(row.updated_at.getTime() - before) < 60_000);

      const later = new Date('2030-01-02T03:04:05.000Z');
      const updated = await sql.db
        .updateTable('guichet_meta')
        .set({ value: 'two', updated_at: later })
        .where('key', '=', 'crud')
        .executeTakeFirstOrThrow();
      assert.equal(updated.numUpdatedRows, 1n);
      const changed = await sql.db
        .selectFrom('guichet_meta')
        .selectAll()
        .where('key', '=', 'crud')
        .executeTakeFirstOrThrow();
      assert.equal(changed.value, 'two');
      assert.equal(changed.updated_at.toISOString(), later.toISOString());

      const duplicate = sql.db.insertInto('guichet_meta').values({ key: 'crud', value: 'again' }).execute();
      await assert.rejects(duplicate, /duplicate key/);

      const deleted = await sql.db
        .deleteFrom('guichet_meta')
        .where('key', '=', 'crud')
        .executeTakeFirstOrThrow();
      assert.equal(deleted.numDeletedRows, 1n);
      assert.deepEqual(await metaKeys(sql, 'crud'), []);
      const { rows } = await rawSql<{ n: unknown }>`select count(*) as n from guichet_meta`.execute(sql.db);
      assert.equal(rows[0]?.n, '0', 'bigint counts come back as strings on both drivers');
    });

    it('rolls back a transaction that throws', async () => {
      const attempt = sql.db.transaction().execute(async (trx) => {
        await trx.insertInto('guichet_meta').values({ key: 'rollback-1', value: 'x' }).execute();
        await trx.insertInto('guichet_meta').values({ key: 'rollback-2', value: 'y' }).execute();
        throw new Error('give up');
      });
      await assert.rejects(attempt, /give up/);
      assert.deepEqual(await metaKeys(sql, 'rollback-'), []);

      await sql.db.transaction().execute(async (trx) => {
        await trx.insertInto('guichet_meta').values({ key: 'rollback-kept', value: 'z' }).execute();
      });
      assert.deepEqual(await metaKeys(sql, 'rollback-'), ['rollback-kept']);
    });

    it('refuses to commit a transaction that a failed statement aborted', async () => {
      const attempt = sql.db.transaction().execute(async (trx) => {
        await trx.insertInto('guichet_meta').values({ key: 'aborted-1', value: 'x' }).execute();
        // The error is swallowed, but PostgreSQL has already aborted the transaction.
        await rawSql`select 1 / 0`.execute(trx).catch(() => undefined);
      });
      await assert.rejects(attempt, (error: Error) => isAbortedTransactionError(error));
      assert.deepEqual(await metaKeys(sql, 'aborted-'), []);
    });

    it('answers many queries issued at once', async () => {
      const keys = Array.from({ length: 40 }, (_, i) => `burst-${String(i).padStart(2, '0')}`);
      const values = await Promise.all(
        keys.map(async (key) => {
          await sql.db.insertInto('guichet_meta').values({ key, value: key }).execute();
          const row = await sql.db
            .selectFrom('guichet_meta')
            .select('value')
            .where('key', '=', key)
            .executeTakeFirstOrThrow();
          return row.value;
        }),
      );
      assert.deepEqual(values, keys);
      assert.deepEqual(await metaKeys(sql, 'burst-'), keys);
    });

    it('keeps queries issued while a transaction is open out of that transaction', async () => {
      let markInserted: () => void = () => {};
      const inserted = new Promise<void>((resolve) => {
        markInserted = resolve;
      });
      const transaction = sql.db.transaction().execute(async (trx) => {
        await trx.insertInto('guichet_meta').values({ key: 'open-tx-probe', value: 'uncommitted' }).execute();
        markInserted();
        // Stay open while the queries below are issued, then fail so the transaction rolls back.
        await delay(150);
        throw new Error('roll back the probe');
      });
      await inserted;
      const outside = Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          await sql.db
            .insertInto('guichet_meta')
            .values({ key: `open-tx-outside-${i}`, value: 'committed' })
            .execute();
          return sql.db
            .selectFrom('guichet_meta')
            .select('key')
            .where('key', '=', 'open-tx-probe')
            .executeTakeFirst();
        }),
      );
      await assert.rejects(transaction, /roll back the probe/);
      // Had these run inside the transaction, they would have seen its row and been rolled back with it.
      const probes = await outside;
      assert.deepEqual(probes, Array(10).fill(undefined));
      assert.equal((await metaKeys(sql, 'open-tx-outside-')).length, 10);
      assert.deepEqual(await metaKeys(sql, 'open-tx-probe'), []);
    });

    it('keeps data across close and reopen', async () => {
      const fixture = await fresh({ migrated: true });
      try {
        const first = await fixture.open();
        await first.db.insertInto('guichet_meta').values({ key: 'durable', value: 'kept' }).execute();
        await first.close();
        await assert.rejects(first.ping(), 'a closed port refuses queries');

        const second = await fixture.open();
        try {
          const row = await second.db
            .selectFrom('guichet_meta')
            .select('value')
            .where('key', '=', 'durable')
            .executeTakeFirst();
          assert.deepEqual(row, { value: 'kept' });
        } finally {
          await second.close();
        }
      } finally {
        await fixture.dispose();
      }
    });

    it('names a failing migration and leaves the schema as it was', async () => {
      const broken: Migration = {
        up: async (db) => {
          await db.schema.createTable('broken_probe').addColumn('id', 'integer').execute();
          throw new Error('boom');
        },
      };
      await assert.rejects(
        migrateToLatest(sql, { ...allMigrations, '9999-broken': broken }),
        (error: Error) => {
          assert.match(error.message, /9999-broken/);
          assert.match(error.message, /boom/);
          return true;
        },
      );
      assert.equal(await tableExists(sql, 'broken_probe'), false);
      assert.deepEqual(await migrateToLatest(sql), []);
    });
  });
}

sqlContract(
  'PGlite',
  'pglite',
  async ({ migrated }) => {
    const dir = await freshPgliteDir({ migrated });
    return { open: () => openPgliteSql(dir), dispose: () => removePgliteDir(dir) };
  },
  { skip: false },
);

sqlContract(
  'PostgreSQL',
  'postgres',
  async ({ migrated }) => {
    const database = await createTestDatabase();
    if (migrated) {
      const sql = await openPostgresSql(database.url);
      try {
        await migrateToLatest(sql);
      } finally {
        await sql.close();
      }
    }
    return { open: () => openPostgresSql(database.url), dispose: database.drop };
  },
  { skip: postgresSkip },
);

describe('PGlite driver', () => {
  let parent: string;
  let sql: SqlPort;

  before(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), 'guichet-open-sql-'));
    // Move a prepared database into place so opening it costs no database creation.
    await rename(await freshPgliteDir(), path.join(parent, 'pglite'));
    sql = await openSql({ dataDir: parent });
  });

  after(async () => {
    await sql?.close();
    await rm(parent, { recursive: true, force: true });
    await removeFreshPgliteDirs();
  });

  it('is what openSql opens under dataDir/pglite without a database URL', async () => {
    assert.equal(sql.driver, 'pglite');
    assert.deepEqual(await migrateToLatest(sql), [], 'it opened the prepared, migrated database');
  });

  it('refuses to stream with a clear message', async () => {
    const stream = sql.db.selectFrom('guichet_meta').selectAll().stream();
    await assert.rejects(stream.next(), /streaming queries is not supported by the PGlite driver/);
    await sql.ping();
  });
});

describe('PostgreSQL driver when the server is unreachable', () => {
  it('rejects ping within seconds and keeps the process alive', async () => {
    const sql = await openPostgresSql('postgres://postgres@127.0.0.1:1/x');
    const started = performance.now();
    await assert.rejects(sql.ping());
    assert.ok(performance.now() - started < 5000, 'ping gave up within 5 s');
    await sql.close();
  });
});

describe('PostgreSQL driver against a live server', { skip: postgresSkip }, () => {
  it('openSql picks PostgreSQL when given a database URL', async () => {
    const sql = await openSql({ databaseUrl: testPostgresUrl, dataDir: os.tmpdir() });
    try {
      assert.equal(sql.driver, 'postgres');
      await sql.ping();
    } finally {
      await sql.close();
    }
  });

  it('survives the server dropping its idle connections', async () => {
    const database = await createTestDatabase();
    const sql = await openPostgresSql(database.url, { max: 3 });
    try {
      await Promise.all([sql.ping(), sql.ping(), sql.ping()]);
      const admin = new pg.Client({ connectionString: testPostgresUrl });
      await admin.connect();
      try {
        const name = new URL(database.url).pathname.slice(1);
        const { rows } = await admin.query<{ pid: number }>(
          'select pg_terminate_backend(pid), pid from pg_stat_activity where datname = $1',
          [name],
        );
        assert.ok(rows.length > 0, 'the pool had idle connections to drop');
      } finally {
        await admin.end();
      }
      // Give the pool time to notice; an unhandled pool error would crash the process here.
      await delay(300);
      await sql.ping();
    } finally {
      await sql.close();
      await database.drop();
    }
  });

  it('lets two instances migrate one fresh database at once, applying each migration exactly once', async () => {
    const database = await createTestDatabase();
    const first = await openPostgresSql(database.url);
    const second = await openPostgresSql(database.url);
    try {
      let slowRuns = 0;
      // A slow last migration keeps the first migrator inside its lock while the second one arrives.
      const migrations: Record<string, Migration> = {
        ...allMigrations,
        '9999-slow-probe': {
          up: async (db) => {
            slowRuns += 1;
            await rawSql`select pg_sleep(0.3)`.execute(db);
          },
        },
      };
      const applied = await Promise.all([
        migrateToLatest(first, migrations),
        migrateToLatest(second, migrations),
      ]);
      const all = [...migrationNames, '9999-slow-probe'];
      assert.deepEqual(
        applied.map((names) => names.length).sort(),
        [0, all.length],
        'one instance applied everything, the other found nothing left to do',
      );
      assert.deepEqual(applied.flat(), all);
      assert.equal(slowRuns, 1);
      const { rows } = await rawSql<{
        name: string;
      }>`select name from guichet_migration order by name`.execute(first.db);
      assert.deepEqual(
        rows.map((row) => row.name),
        all,
      );
    } finally {
      await first.close();
      await second.close();
      await database.drop();
    }
  });
});
