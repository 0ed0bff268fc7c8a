import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql as rawSql } from 'kysely';
import pg from 'pg';
import { batchedLookup } from '../../src/ports/sql/batched-lookup.ts';
import { openPostgresSql } from '../../src/ports/sql/postgres-driver.ts';
import { type PreparedStatement, preparedStatement } from '../../src/ports/sql/prepared-statement.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import {
  createStatementBatcher,
  type StatementBatcherOptions,
} from '../../src/ports/sql/statement-batcher.ts';
import { sqlDrivers, type TestSql } from '../support/domain-test-context.ts';
import { testPostgresUrl } from '../support/services.ts';

/*
 * A table of the test's own, so the statements under test are plain and the rows are ours. The check
 * constraint gives a way to make one item of a batch fail.
 */
const createProbeTable = rawSql`create table batch_probe (
  key text primary key,
  value text not null check (value <> 'bad'),
  writes integer not null default 1
)`;

interface ProbeRow {
  key: string;
  value: string;
  writes: number;
}

const insertProbes = preparedStatement(
  'test_batch_probe_insert',
  `insert into batch_probe (key, value) select * from unnest($1::text[], $2::text[])
   returning key, value, writes`,
);
const upsertProbes = preparedStatement(
  'test_batch_probe_upsert',
  `insert into batch_probe (key, value) select * from unnest($1::text[], $2::text[])
   on conflict (key) do update set value = excluded.value, writes = batch_probe.writes + 1
   returning key, value, writes`,
);
const findProbes = preparedStatement(
  'test_batch_probe_find',
  'select key, value, writes from batch_probe where key = any($1::text[])',
);
const findProbesPlannedEachCall = preparedStatement(
  'test_batch_probe_find_each_call',
  'select key, value, writes from batch_probe where key = any($1::text[])',
  { planEachCall: true },
);
const ownPreparedStatements = preparedStatement(
  'test_own_prepared_statements',
  `select name from pg_prepared_statements where name like 'guichet_test_%' order by name`,
);

interface ProbeItem {
  key: string;
  value: string;
}

/** What each call to the batcher's run received and how it ended. */
interface RunRecord {
  keys: string[];
  failed: boolean;
}

/** A batcher writing probes through `statement`, recording every statement it runs. */
function probeWriter(
  sql: SqlPort,
  statement: PreparedStatement,
  options: Partial<Pick<StatementBatcherOptions<ProbeItem, ProbeRow>, 'maxBatch' | 'maxInFlight'>> & {
    /** Awaited before each statement: holds it in flight for as long as the test wants. */
    beforeRun?: () => Promise<void>;
  } = {},
) {
  const runs: RunRecord[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const write = createStatementBatcher<ProbeItem, ProbeRow>({
    run: async (items) => {
      const record: RunRecord = { keys: items.map((item) => item.key), failed: false };
      runs.push(record);
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      try {
        await options.beforeRun?.();
        const rows = await sql.run<ProbeRow>(statement, [
          items.map((item) => item.key),
          items.map((item) => item.value),
        ]);
        const byKey = new Map(rows.map((row) => [row.key, row]));
        return items.map((item) => {
          const row = byKey.get(item.key);
          if (row === undefined) throw new Error(`no row returned for ${item.key}`);
          return row;
        });
      } catch (error) {
        record.failed = true;
        throw error;
      } finally {
        inFlight -= 1;
      }
    },
    key: (item) => item.key,
    maxBatch: options.maxBatch ?? 200,
    maxInFlight: options.maxInFlight ?? 4,
  });
  return { write, runs, mostInFlight: () => mostInFlight };
}

/** The port, with every run() it receives recorded by statement name. */
function countingPort(sql: SqlPort) {
  const runs: Array<{ name: string; values: readonly unknown[] }> = [];
  const port: SqlPort = {
    driver: sql.driver,
    db: sql.db,
    run: <Row>(statement: PreparedStatement, values: readonly unknown[]) => {
      runs.push({ name: statement.name, values });
      return sql.run<Row>(statement, values);
    },
    ping: () => sql.ping(),
    close: () => sql.close(),
  };
  return { port, runs };
}

const lookupProbe = batchedLookup<ProbeRow>(findProbes, 'key');

function keys(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${String(index).padStart(4, '0')}`);
}

describe('preparedStatement', () => {
  it('names the statement under guichet_ and compacts its text', () => {
    const statement = preparedStatement('test_compact', '  select 1\n     where  true ');
    assert.deepEqual(statement, {
      name: 'guichet_test_compact',
      text: 'select 1 where true',
      planEachCall: false,
    });
  });

  it('accepts a name declared again with the same text, refuses it with another text', () => {
    preparedStatement('test_declared_twice', 'select $1::text as value');
    assert.doesNotThrow(() => preparedStatement('test_declared_twice', 'select  $1::text\n as value'));
    assert.throws(
      () => preparedStatement('test_declared_twice', 'select $1::int as value'),
      /test_declared_twice is already declared with another text/,
    );
  });
});

for (const driver of sqlDrivers) {
  describe(`prepared statements and batching: ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestSql;
    let sql: SqlPort;
    /** A second session on the same database where there is one; PGlite has a single session. */
    let elsewhere: pg.Client | undefined;
    /** One query at a time on that client; its end() then waits for the connection to close. */
    let elsewhereQueue: Promise<unknown> = Promise.resolve();

    /** The rows of these keys as another connection sees them. */
    async function committedRows(wanted: readonly string[]): Promise<ProbeRow[]> {
      const query = 'select key, value, writes from batch_probe where key = any($1::text[]) order by key';
      const client = elsewhere;
      if (client !== undefined) {
        const answer = elsewhereQueue.then(() => client.query<ProbeRow>(query, [wanted]));
        elsewhereQueue = answer.catch(() => undefined);
        return (await answer).rows;
      }
      return (
        await rawSql<ProbeRow>`select key, value, writes from batch_probe where key = any(${[...wanted]}::text[]) order by key`.execute(
          sql.db,
        )
      ).rows;
    }

    before(async () => {
      database = await driver.fresh();
      sql = database.sql;
      await createProbeTable.execute(sql.db);
      if (database.url !== undefined) {
        elsewhere = new pg.Client({ connectionString: database.url });
        await elsewhere.connect();
      }
    });

    after(async () => {
      await elsewhere?.end();
      await database?.dispose();
    });

    it('runs a statement with array parameters and returns its rows', async () => {
      const [first, second] = keys(randomUUID(), 2) as [string, string];
      const inserted = await sql.run<ProbeRow>(insertProbes, [
        [first, second],
        ['one', 'deux ☕'],
      ]);
      assert.deepEqual(
        inserted.toSorted((a, b) => a.key.localeCompare(b.key)),
        [
          { key: first, value: 'one', writes: 1 },
          { key: second, value: 'deux ☕', writes: 1 },
        ],
      );
      assert.deepEqual(await sql.run(findProbes, [[second, 'absent']]), [
        { key: second, value: 'deux ☕', writes: 1 },
      ]);
      assert.deepEqual(await sql.run(findProbes, [[]]), []);
      await assert.rejects(sql.run(insertProbes, [[first], ['again']]), /duplicate key|unique/);
    });

    it('serves one statement from many concurrent callers, past the pool size', async () => {
      const prefix = randomUUID();
      await sql.run(insertProbes, [keys(prefix, 30), keys('value', 30)]);
      const answers = await Promise.all(
        keys(prefix, 30).map((key) => sql.run<ProbeRow>(findProbes, [[key]])),
      );
      answers.forEach((rows, index) => {
        assert.deepEqual(rows, [
          { key: keys(prefix, 30)[index], value: keys('value', 30)[index], writes: 1 },
        ]);
      });
    });

    it('sends the calls of one event-loop turn as one statement, each caller getting its own row', async () => {
      const writer = probeWriter(sql, insertProbes);
      const wanted = keys(randomUUID(), 25);
      const rows = await Promise.all(wanted.map((key, index) => writer.write({ key, value: `v${index}` })));
      assert.deepEqual(
        writer.runs.map((run) => run.keys),
        [wanted],
        'one statement for the whole turn',
      );
      assert.deepEqual(
        rows,
        wanted.map((key, index) => ({ key, value: `v${index}`, writes: 1 })),
      );
    });

    it('sends calls of later turns as later statements', async () => {
      const writer = probeWriter(sql, insertProbes);
      const [first, second] = keys(randomUUID(), 2) as [string, string];
      const early = writer.write({ key: first, value: 'early' });
      // The next turn: the batcher's own setImmediate, queued first, has sent the first statement.
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(writer.runs.length, 1);
      const late = writer.write({ key: second, value: 'late' });
      assert.deepEqual(await Promise.all([early, late]), [
        { key: first, value: 'early', writes: 1 },
        { key: second, value: 'late', writes: 1 },
      ]);
      assert.deepEqual(
        writer.runs.map((run) => run.keys),
        [[first], [second]],
      );
    });

    it('splits a large turn into statements of at most maxBatch items', async () => {
      const writer = probeWriter(sql, insertProbes, { maxBatch: 40, maxInFlight: 2 });
      const wanted = keys(randomUUID(), 130);
      const rows = await Promise.all(wanted.map((key) => writer.write({ key, value: key })));
      assert.deepEqual(
        rows.map((row) => row.key),
        wanted,
      );
      assert.deepEqual(
        writer.runs.map((run) => run.keys.length),
        [40, 40, 40, 10],
      );
      assert.deepEqual(
        writer.runs.flatMap((run) => run.keys),
        wanted,
        'first come, first sent',
      );
      assert.ok(writer.mostInFlight() <= 2, `at most 2 statements in flight, saw ${writer.mostInFlight()}`);
    });

    it('gathers calls made while maxInFlight statements run into the next statement', async () => {
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let statements = 0;
      const writer = probeWriter(sql, insertProbes, {
        maxInFlight: 1,
        // Only the first statement is held, so later calls arrive while it is in flight.
        beforeRun: () => {
          statements += 1;
          return statements === 1 ? held : Promise.resolve();
        },
      });
      const prefix = randomUUID();
      const firstTurn = keys(`${prefix}-a`, 3);
      const first = firstTurn.map((key) => writer.write({ key, value: key }));
      const laterKeys: string[] = [];
      const later: Array<Promise<ProbeRow>> = [];
      for (let turn = 0; turn < 3; turn += 1) {
        await new Promise((resolve) => setImmediate(resolve));
        for (const key of keys(`${prefix}-b${turn}`, 4)) {
          laterKeys.push(key);
          later.push(writer.write({ key, value: key }));
        }
      }
      await sleep(20);
      assert.equal(writer.runs.length, 1, 'nothing else left while the first statement was in flight');
      release();
      const rows = await Promise.all([...first, ...later]);
      assert.deepEqual(
        rows.map((row) => row.key),
        [...firstTurn, ...laterKeys],
      );
      assert.equal(writer.mostInFlight(), 1);
      assert.deepEqual(
        writer.runs.map((run) => run.keys),
        [firstTurn, laterKeys],
      );
    });

    it('resolves each caller only once its row is committed and visible to another connection', async () => {
      const writer = probeWriter(sql, insertProbes);
      const wanted = keys(randomUUID(), 20);
      const checks = wanted.map(async (key) => {
        await writer.write({ key, value: 'committed' });
        // Read at once, from elsewhere: a row still inside an open transaction would not be there.
        const seen = await committedRows([key]);
        assert.deepEqual(seen, [{ key, value: 'committed', writes: 1 }], `${key} is visible`);
      });
      await Promise.all(checks);
    });

    it('never puts the same key twice in one statement, and applies both writes', async () => {
      const writer = probeWriter(sql, upsertProbes);
      const [repeated, other] = keys(randomUUID(), 2) as [string, string];
      // One turn: an upsert that touched the row twice would fail ("cannot affect row a second time").
      const results = await Promise.all([
        writer.write({ key: repeated, value: 'first' }),
        writer.write({ key: other, value: 'other' }),
        writer.write({ key: repeated, value: 'second' }),
      ]);
      for (const run of writer.runs) {
        assert.equal(new Set(run.keys).size, run.keys.length, `duplicate keys in ${run.keys}`);
        assert.equal(run.failed, false, 'no statement failed (a failure would hide behind the retry)');
      }
      assert.equal(writer.runs.length, 2);
      assert.equal(results[0].key, repeated);
      assert.equal(results[2].key, repeated);
      // Both writes landed, one after the other, whatever their order.
      assert.deepEqual(results.map((row) => row.writes).toSorted(), [1, 1, 2]);
      const [stored] = await committedRows([repeated]);
      assert.equal(stored?.writes, 2);
      assert.ok(stored?.value === 'first' || stored?.value === 'second');
    });

    it('retries a failed statement one item at a time, so one bad item fails only its caller', async () => {
      const writer = probeWriter(sql, insertProbes);
      const [good, bad, alsoGood] = keys(randomUUID(), 3) as [string, string, string];
      const outcomes = await Promise.allSettled([
        writer.write({ key: good, value: 'fine' }),
        writer.write({ key: bad, value: 'bad' }),
        writer.write({ key: alsoGood, value: 'also fine' }),
      ]);
      assert.deepEqual(outcomes[0], { status: 'fulfilled', value: { key: good, value: 'fine', writes: 1 } });
      assert.equal(outcomes[1]?.status, 'rejected');
      assert.match(String(outcomes[1]?.status === 'rejected' && outcomes[1].reason), /check constraint/);
      assert.deepEqual(outcomes[2], {
        status: 'fulfilled',
        value: { key: alsoGood, value: 'also fine', writes: 1 },
      });
      assert.deepEqual(
        writer.runs.map((run) => [run.keys, run.failed]),
        [
          [[good, bad, alsoGood], true],
          [[good], false],
          [[bad], true],
          [[alsoGood], false],
        ],
      );
      // The failed statement left nothing behind; each good item was written exactly once.
      assert.deepEqual(
        (await committedRows([good, bad, alsoGood])).map((row) => [row.key, row.writes]),
        [
          [good, 1],
          [alsoGood, 1],
        ].toSorted((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
    });

    it('rejects the lone caller of a failed single-item statement without retrying it', async () => {
      const writer = probeWriter(sql, insertProbes);
      const [bad] = keys(randomUUID(), 1) as [string];
      await assert.rejects(writer.write({ key: bad, value: 'bad' }), /check constraint/);
      assert.equal(writer.runs.length, 1);
      // The batcher is not stuck after a failure.
      const [next] = keys(randomUUID(), 1) as [string];
      assert.equal((await writer.write({ key: next, value: 'ok' })).key, next);
    });

    it('keeps at most maxInFlight statements in flight when one key is called many times in a turn', async () => {
      const writer = probeWriter(sql, upsertProbes, { maxInFlight: 2 });
      const [hot] = keys(randomUUID(), 1) as [string];
      await Promise.all(
        Array.from({ length: 8 }, (_, index) => writer.write({ key: hot, value: `w${index}` })),
      );
      assert.equal((await committedRows([hot]))[0]?.writes, 8);
      assert.ok(writer.mostInFlight() <= 2, `${writer.mostInFlight()} statements were in flight at once`);
    });

    it('batchedLookup: one statement per turn, each caller its own row, undefined when missing', async () => {
      const counted = countingPort(sql);
      const prefix = randomUUID();
      const present = keys(prefix, 5);
      await sql.run(insertProbes, [present, present.map((key) => `value of ${key}`)]);
      const wanted = [present[3], `${prefix}-missing`, present[0], present[4]] as string[];
      const rows = await Promise.all(wanted.map((key) => lookupProbe(counted.port, key)));
      assert.deepEqual(rows, [
        { key: present[3], value: `value of ${present[3]}`, writes: 1 },
        undefined,
        { key: present[0], value: `value of ${present[0]}`, writes: 1 },
        { key: present[4], value: `value of ${present[4]}`, writes: 1 },
      ]);
      assert.deepEqual(counted.runs, [{ name: 'guichet_test_batch_probe_find', values: [wanted] }]);
    });

    it('batchedLookup: the same key twice in a turn answers both callers with the row', async () => {
      const counted = countingPort(sql);
      const [key, other] = keys(randomUUID(), 2) as [string, string];
      await sql.run(insertProbes, [
        [key, other],
        ['twice', 'once'],
      ]);
      const rows = await Promise.all([
        lookupProbe(counted.port, key),
        lookupProbe(counted.port, other),
        lookupProbe(counted.port, key),
      ]);
      assert.deepEqual(
        rows.map((row) => row?.value),
        ['twice', 'once', 'twice'],
      );
      for (const run of counted.runs) {
        const asked = run.values[0] as string[];
        assert.equal(new Set(asked).size, asked.length, 'no key twice in one statement');
      }
    });

    it('batchedLookup: hundreds of lookups in a turn each get their own row', async () => {
      const counted = countingPort(sql);
      const present = keys(randomUUID(), 450);
      await sql.run(insertProbes, [present, present.map((key) => key.toUpperCase())]);
      const rows = await Promise.all(present.map((key) => lookupProbe(counted.port, key)));
      rows.forEach((row, index) => {
        assert.equal(row?.value, present[index]?.toUpperCase());
      });
      // At most 200 keys per statement.
      assert.deepEqual(
        counted.runs.map((run) => (run.values[0] as string[]).length),
        [200, 200, 50],
      );
    });

    it('batchedLookup: a batch runs on the database its callers asked', async () => {
      const other = await driver.fresh();
      try {
        await createProbeTable.execute(other.sql.db);
        const key = `shared-${randomUUID()}`;
        await sql.run(insertProbes, [[key], ['from the first database']]);
        await other.sql.run(insertProbes, [[key], ['from the second database']]);
        const [mine, theirs] = await Promise.all([lookupProbe(sql, key), lookupProbe(other.sql, key)]);
        assert.equal(mine?.value, 'from the first database');
        assert.equal(theirs?.value, 'from the second database');
      } finally {
        await other.dispose();
      }
    });

    it('run never lands inside another caller’s open transaction', async () => {
      const [inside, outside] = keys(randomUUID(), 2) as [string, string];
      const events: string[] = [];
      let read: Promise<ProbeRow[]> | undefined;
      let written: Promise<ProbeRow[]> | undefined;
      await assert.rejects(
        sql.db.transaction().execute(async (trx) => {
          await rawSql`insert into batch_probe (key, value) values (${inside}, 'uncommitted')`.execute(trx);
          read = sql.run<ProbeRow>(findProbes, [[inside]]).finally(() => events.push('run read'));
          written = sql
            .run<ProbeRow>(insertProbes, [[outside], ['outside']])
            .finally(() => events.push('run write'));
          await sleep(100);
          events.push('transaction rolls back');
          throw new Error('roll back');
        }),
        /roll back/,
      );
      // Neither saw the transaction's row, and the rollback did not take the outside write with it.
      assert.deepEqual(await read, []);
      assert.deepEqual(await written, [{ key: outside, value: 'outside', writes: 1 }]);
      assert.deepEqual(
        (await committedRows([inside, outside])).map((row) => row.key),
        [outside],
      );
      if (sql.driver === 'pglite') {
        // One session: run waits for the transaction to end instead of joining it.
        assert.deepEqual(events, ['transaction rolls back', 'run read', 'run write']);
      }
    });

    it('batched writes issued during an open transaction commit on their own', async () => {
      const writer = probeWriter(sql, insertProbes);
      const wanted = keys(randomUUID(), 5);
      let writes: Promise<ProbeRow[]> | undefined;
      await assert.rejects(
        sql.db.transaction().execute(async (trx) => {
          await rawSql`select 1`.execute(trx);
          writes = Promise.all(wanted.map((key) => writer.write({ key, value: 'batched' })));
          await sleep(50);
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal((await writes)?.length, 5);
      assert.deepEqual(
        (await committedRows(wanted)).map((row) => row.key),
        wanted,
      );
    });
  });
}

const postgres = sqlDrivers.find((driver) => driver.name === 'postgres');

describe('named statements on PostgreSQL', { skip: postgres?.skip ?? 'no postgres driver' }, () => {
  it('prepares each statement once per connection and prepares it again after a reconnect', async () => {
    if (postgres === undefined) return;
    const database = await postgres.fresh();
    // One connection, so every run below shares its session and its prepared statements.
    const sql = await openPostgresSql(database.url ?? testPostgresUrl, { max: 1 });
    try {
      await createProbeTable.execute(sql.db);
      const [key] = keys(randomUUID(), 1) as [string];
      await sql.run(insertProbes, [[key], ['before']]);
      assert.deepEqual(await sql.run(findProbes, [[key]]), [{ key, value: 'before', writes: 1 }]);
      const names = (await sql.run<{ name: string }>(ownPreparedStatements, [])).map((row) => row.name);
      assert.deepEqual(names, [
        'guichet_test_batch_probe_find',
        'guichet_test_batch_probe_insert',
        'guichet_test_own_prepared_statements',
      ]);

      const admin = new pg.Client({ connectionString: testPostgresUrl });
      await admin.connect();
      try {
        const { rows } = await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [new URL(database.url ?? testPostgresUrl).pathname.slice(1)],
        );
        assert.ok(rows.length > 0, 'a connection was dropped');
      } finally {
        await admin.end();
      }
      // The pool notices the drop and discards the connection; the next run opens a new session.
      await sleep(300);
      assert.deepEqual(await sql.run(findProbes, [[key]]), [{ key, value: 'before', writes: 1 }]);
      const again = (await sql.run<{ name: string }>(ownPreparedStatements, [])).map((row) => row.name);
      assert.deepEqual(again, ['guichet_test_batch_probe_find', 'guichet_test_own_prepared_statements']);
    } finally {
      await sql.close();
      await database.dispose();
    }
  });

  it('plans a planEachCall statement on every call, so a table grown since its first calls is read by index', async () => {
    if (postgres === undefined) return;
    const database = await postgres.fresh();
    const sql = await openPostgresSql(database.url ?? testPostgresUrl, { max: 1 });
    const planOf = async (statement: string) => {
      const { rows } = await rawSql<{
        'QUERY PLAN': unknown;
      }>`${rawSql.raw(`explain (format json) ${statement}`)}`.execute(sql.db);
      return JSON.stringify(rows[0]?.['QUERY PLAN']);
    };
    try {
      await createProbeTable.execute(sql.db);
      await sql.run(insertProbes, [keys('tiny', 3), keys('value', 3)]);
      await rawSql`analyze batch_probe`.execute(sql.db);
      // Past PostgreSQL's five custom plans, a named statement keeps one generic plan.
      for (let call = 0; call < 6; call += 1) {
        await sql.run(findProbes, [['tiny-0000']]);
        await sql.run(findProbesPlannedEachCall, [['tiny-0000']]);
      }
      const grown = keys('grown', 20_000);
      await sql.run(insertProbes, [grown, grown]);

      // The trap: the generic plan made on three rows still scans the whole table.
      assert.match(await planOf(`execute guichet_test_batch_probe_find('{grown-0042}')`), /"Seq Scan"/);
      // A planEachCall statement is never kept on the connection, and is planned for the table as it is.
      const names = (await sql.run<{ name: string }>(ownPreparedStatements, [])).map((row) => row.name);
      assert.ok(!names.includes('guichet_test_batch_probe_find_each_call'));
      assert.match(
        await planOf(`${findProbesPlannedEachCall.text.replace('$1::text[]', "'{grown-0042}'::text[]")}`),
        /"Index Scan"|"Index Only Scan"|"Bitmap Index Scan"/,
      );
      assert.deepEqual(await sql.run(findProbesPlannedEachCall, [['grown-0042', 'absent']]), [
        { key: 'grown-0042', value: 'grown-0042', writes: 1 },
      ]);
    } finally {
      await sql.close();
      await database.dispose();
    }
  });
});
