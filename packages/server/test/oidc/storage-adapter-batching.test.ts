import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { consumePayloads } from '../../src/oidc/payload-statements.ts';
import { createStorageAdapterFactory, type ReuseEvent } from '../../src/oidc/storage-adapter.ts';
import type { CachePort } from '../../src/ports/cache/cache-port.ts';
import { createMemoryCache } from '../../src/ports/cache/memory-driver.ts';
import { openPostgresSql } from '../../src/ports/sql/postgres-driver.ts';
import type { PreparedStatement } from '../../src/ports/sql/prepared-statement.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import { sqlDrivers, type TestSql } from '../support/domain-test-context.ts';

/*
 * consume() goes through a statement batcher: the consumptions of one event-loop turn share one UPDATE.
 * These tests call consume many times in a single turn, so the calls do meet in batches, and check that
 * each code still has exactly one winner.
 */

/** The port, counting the consume statements it runs and how many rows each asked for. */
function countingPort(sql: SqlPort) {
  const consumeBatches: number[] = [];
  const port: SqlPort = {
    driver: sql.driver,
    db: sql.db,
    run: <Row>(statement: PreparedStatement, values: readonly unknown[]) => {
      if (statement.name === consumePayloads.name) consumeBatches.push((values[1] as unknown[]).length);
      return sql.run<Row>(statement, values);
    },
    ping: () => sql.ping(),
    close: () => sql.close(),
  };
  return { port, consumeBatches };
}

interface Instance {
  adapter: (model: string) => Adapter;
  consumeBatches: number[];
  cache: CachePort;
}

function instance(sql: SqlPort, onReuse: (event: ReuseEvent) => void): Instance {
  const counted = countingPort(sql);
  const cache = createMemoryCache();
  return {
    adapter: createStorageAdapterFactory({ sql: counted.port, cache, onReuse }),
    consumeBatches: counted.consumeBatches,
    cache,
  };
}

function payloadFor(model: string, id: string, grantId: string): AdapterPayload {
  const iat = Math.floor(Date.now() / 1000);
  return { iat, exp: iat + 60, jti: id, kind: model, clientId: 'shop', accountId: 'account-1', grantId };
}

function isInvalidGrant(error: unknown): boolean {
  return error instanceof errors.InvalidGrant && error.error === 'invalid_grant';
}

for (const driver of sqlDrivers) {
  describe(`atomic consume under batching: ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestSql;
    /** On PostgreSQL a second pool, as a second server instance would have; PGlite has one session. */
    let secondSql: SqlPort;
    let first: Instance;
    let second: Instance;
    const reuses: ReuseEvent[] = [];

    before(async () => {
      database = await driver.fresh();
      secondSql = database.url === undefined ? database.sql : await openPostgresSql(database.url);
      const onReuse = (event: ReuseEvent) => void reuses.push(event);
      first = instance(database.sql, onReuse);
      second = instance(secondSql, onReuse);
    });

    after(async () => {
      await first?.cache.close();
      await second?.cache.close();
      if (secondSql !== undefined && secondSql !== database?.sql) await secondSql.close();
      await database?.dispose();
    });

    /** A grant with one code (or refresh token) under it, stored through the first instance. */
    async function seed(model: string): Promise<{ grantId: string; id: string }> {
      const grantId = randomUUID();
      const id = randomUUID();
      await first.adapter('Grant').upsert(grantId, payloadFor('Grant', grantId, grantId), 600);
      await first.adapter(model).upsert(id, payloadFor(model, id, grantId), 60);
      return { grantId, id };
    }

    async function consumedAt(model: string, id: string): Promise<Date | null | undefined> {
      const row = await database.sql.db
        .selectFrom('oidc_payload')
        .select('consumed_at')
        .where('model', '=', model)
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.consumed_at;
    }

    async function rowsOfGrant(grantId: string): Promise<string[]> {
      const rows = await database.sql.db
        .selectFrom('oidc_payload')
        .select('model')
        .where((eb) =>
          eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]),
        )
        .orderBy('model')
        .execute();
      return rows.map((row) => row.model);
    }

    for (const model of ['AuthorizationCode', 'RefreshToken']) {
      it(`${model}: of 16 consumptions in one turn on two instances, exactly one wins`, async () => {
        const { grantId, id } = await seed(model);
        const before = [first.consumeBatches.length, second.consumeBatches.length];
        // All issued synchronously, in one turn of the event loop.
        const calls = Array.from({ length: 16 }, (_, index) =>
          (index % 2 === 0 ? first : second).adapter(model).consume(id),
        );
        const outcomes = await Promise.allSettled(calls);
        const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        assert.equal(winners.length, 1, 'exactly one consumption succeeds');
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected')
            assert.ok(isInvalidGrant(outcome.reason), String(outcome.reason));
        }
        // The losers revoked the grant: its code and the Grant itself are gone.
        assert.deepEqual(await rowsOfGrant(grantId), []);
        assert.ok(reuses.some((event) => event.model === model && event.grantId === grantId));
        // The calls did go through the batchers (one per instance), not around them.
        const statements =
          first.consumeBatches.length - (before[0] ?? 0) + second.consumeBatches.length - (before[1] ?? 0);
        assert.ok(statements >= 2, `${statements} consume statements`);
      });
    }

    it('gives each of many codes consumed in one turn exactly one winner, and spares a code used once', async () => {
      const contested = await Promise.all(Array.from({ length: 6 }, () => seed('AuthorizationCode')));
      const untouched = await Promise.all(Array.from({ length: 3 }, () => seed('AuthorizationCode')));
      const firstBatchesBefore = first.consumeBatches.length;
      // Each contested code four times, interleaved across both instances and in opposite orders, and
      // each untouched code once: they all meet in the same batches.
      const calls: Array<{ id: string; outcome: Promise<void> }> = [];
      for (let round = 0; round < 4; round += 1) {
        const order = round % 2 === 0 ? contested : contested.toReversed();
        for (const seeded of order) {
          const on = round % 2 === 0 ? first : second;
          calls.push({ id: seeded.id, outcome: on.adapter('AuthorizationCode').consume(seeded.id) });
        }
      }
      for (const seeded of untouched) {
        calls.push({ id: seeded.id, outcome: first.adapter('AuthorizationCode').consume(seeded.id) });
      }
      const settled = await Promise.allSettled(calls.map((call) => call.outcome));

      for (const seeded of [...contested, ...untouched]) {
        const mine = settled.filter((_, index) => calls[index]?.id === seeded.id);
        const wins = mine.filter((outcome) => outcome.status === 'fulfilled').length;
        assert.equal(wins, 1, `code ${seeded.id}: exactly one winner of ${mine.length}`);
        for (const outcome of mine) {
          if (outcome.status === 'rejected')
            assert.ok(isInvalidGrant(outcome.reason), String(outcome.reason));
        }
      }
      for (const seeded of contested) assert.deepEqual(await rowsOfGrant(seeded.grantId), [], 'revoked');
      for (const seeded of untouched) {
        assert.ok((await consumedAt('AuthorizationCode', seeded.id)) instanceof Date, 'marked consumed');
        assert.deepEqual(
          await rowsOfGrant(seeded.grantId),
          ['AuthorizationCode', 'Grant'],
          'a code consumed once, in the same batch as reused ones, keeps its grant',
        );
      }
      // Distinct codes did share statements: fewer statements than calls on the first instance.
      const firstBatches = first.consumeBatches.slice(firstBatchesBefore);
      const firstCalls = 2 * contested.length + untouched.length;
      assert.equal(
        firstBatches.reduce((sum, size) => sum + size, 0),
        firstCalls,
      );
      assert.ok(firstBatches.length < firstCalls, `first instance: ${firstBatches.join(', ')}`);
      assert.ok(
        firstBatches.some((size) => size > 1),
        'several codes were consumed by one statement',
      );
    });

    it('answers a code consumed in a later turn as reused, after the one winner of the first turn', async () => {
      const { grantId, id } = await seed('AuthorizationCode');
      const firstTurn = await Promise.allSettled([
        first.adapter('AuthorizationCode').consume(id),
        second.adapter('AuthorizationCode').consume(id),
      ]);
      assert.equal(firstTurn.filter((outcome) => outcome.status === 'fulfilled').length, 1);
      await assert.rejects(first.adapter('AuthorizationCode').consume(id), (error) => isInvalidGrant(error));
      assert.deepEqual(await rowsOfGrant(grantId), []);
    });

    it('answers a code that does not exist with invalid_grant, without failing the codes in its batch', async () => {
      const { id } = await seed('AuthorizationCode');
      const [real, ghost] = await Promise.allSettled([
        first.adapter('AuthorizationCode').consume(id),
        first.adapter('AuthorizationCode').consume(randomUUID()),
      ]);
      assert.equal(real?.status, 'fulfilled');
      assert.ok(ghost?.status === 'rejected' && ghost.reason instanceof errors.InvalidGrant);
      assert.ok((await consumedAt('AuthorizationCode', id)) instanceof Date, 'the real code is consumed');
      assert.match(String(ghost.reason.error_detail), /not found/);
    });
  });
}
