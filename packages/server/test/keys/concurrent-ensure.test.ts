import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureSigningKeys } from '../../src/keys/ensure-signing-keys.ts';
import { rotateSigningKeys } from '../../src/keys/rotate-signing-keys.ts';
import { signingAlgorithms } from '../../src/keys/signing-algorithms.ts';
import { openPostgresSql } from '../../src/ports/sql/postgres-driver.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import { keysContext, newMasterKey, sqlDrivers, type TestSql } from './keys-test-support.ts';

const postgres = sqlDrivers.find((driver) => driver.name === 'postgres');

async function activeCountByAlg(sql: SqlPort): Promise<Record<string, number>> {
  const rows = await sql.db
    .selectFrom('signing_key')
    .select(['alg', (eb) => eb.fn.countAll<string>().as('count')])
    .where('state', '=', 'active')
    .groupBy('alg')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.alg, Number(row.count)]));
}

const onePerAlgorithm = Object.fromEntries(signingAlgorithms.map((alg) => [alg, 1]));

describe('instances starting at once on one PostgreSQL database', {
  skip: postgres?.skip ?? 'no postgres',
}, () => {
  let database: TestSql;
  const instances: SqlPort[] = [];
  const masterKey = newMasterKey();

  before(async () => {
    database = await (postgres?.fresh() ?? Promise.reject(new Error('no postgres')));
    assert.ok(database.url);
    // Separate pools, as separate server processes would have.
    for (let i = 0; i < 4; i++) instances.push(await openPostgresSql(database.url, { max: 2 }));
  });

  after(async () => {
    await Promise.all(instances.map((sql) => sql.close()));
    await database?.dispose();
  });

  it('create exactly one active key per algorithm between them', async () => {
    const contexts = instances.map((sql) => keysContext(sql, { masterKey }));
    const created = await Promise.all(contexts.map((context) => ensureSigningKeys(context)));
    assert.deepEqual(await activeCountByAlg(database.sql), onePerAlgorithm);
    // Every key created was reported by exactly one instance.
    const reported = created.flat();
    assert.equal(reported.length, 3);
    assert.deepEqual(reported.map((key) => key.alg).sort(), [...signingAlgorithms].sort());
    for (const context of contexts) await context.ports.cache.close();
  });

  it('rotate at once and still leave one active key per algorithm', async () => {
    const contexts = instances.map((sql) => keysContext(sql, { masterKey }));
    const results = await Promise.all(
      contexts.map((context) => rotateSigningKeys(context, { keepPreviousForSeconds: 60 })),
    );
    assert.deepEqual(await activeCountByAlg(database.sql), onePerAlgorithm);
    // Rotations took turns: each demoted exactly the keys the one before it had made active.
    const total = await database.sql.db
      .selectFrom('signing_key')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(total.count), 3 + 3 * contexts.length);
    assert.ok(results.every((result) => result.previous.length === 3));
    for (const context of contexts) await context.ports.cache.close();
  });
});
