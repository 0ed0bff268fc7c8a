import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql as rawSql } from 'kysely';
import { listAuditEvents, recordAuditEvent } from '../../src/accounts/audit-log.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import { collectingLogger, type OpenedSql, sqlDrivers } from './accounts-fixtures.ts';

for (const driver of sqlDrivers) {
  describe(`audit log on ${driver.name}`, { skip: driver.skip }, () => {
    let opened: OpenedSql;
    let sql: SqlPort;

    before(async () => {
      opened = await driver.open();
      sql = opened.sql;
    });
    after(() => opened?.dispose());

    it('writes an event with its details and reads it back', async () => {
      await recordAuditEvent(sql, {
        type: 'test.written',
        accountId: 'acc_audit1',
        clientId: 'client-1',
        ip: '192.0.2.7',
        details: { reason: 'because', nested: { count: 2 } },
      });
      const [event] = await listAuditEvents(sql, { accountId: 'acc_audit1', limit: 10 });
      assert.ok(event);
      assert.equal(event.type, 'test.written');
      assert.equal(event.clientId, 'client-1');
      assert.equal(event.ip, '192.0.2.7');
      assert.deepEqual(event.details, { reason: 'because', nested: { count: 2 } });
      assert.ok(event.at instanceof Date);
      assert.match(event.id, /^\d+$/);
    });

    it('stores empty details and nulls when nothing else is given', async () => {
      await recordAuditEvent(sql, { type: 'test.bare' });
      const [event] = await listAuditEvents(sql, { type: 'test.bare', limit: 1 });
      assert.deepEqual(
        { accountId: event?.accountId, clientId: event?.clientId, ip: event?.ip, details: event?.details },
        { accountId: null, clientId: null, ip: null, details: {} },
      );
    });

    it('lists newest first, filtered by account and type, up to the limit', async () => {
      for (const type of ['test.one', 'test.two', 'test.one', 'test.one'])
        await recordAuditEvent(sql, { type, accountId: 'acc_audit2', details: { type } });
      await recordAuditEvent(sql, { type: 'test.one', accountId: 'acc_other' });

      const all = await listAuditEvents(sql, { accountId: 'acc_audit2', limit: 100 });
      assert.deepEqual(
        all.map((event) => event.type),
        ['test.one', 'test.one', 'test.two', 'test.one'],
      );
      const ids = all.map((event) => BigInt(event.id));
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => (a > b ? -1 : 1)),
      );
      assert.equal(
        (await listAuditEvents(sql, { accountId: 'acc_audit2', type: 'test.one', limit: 100 })).length,
        3,
      );
      assert.equal(
        (await listAuditEvents(sql, { accountId: 'acc_audit2', type: 'test.one', limit: 2 })).length,
        2,
      );
      assert.equal((await listAuditEvents(sql, { type: 'test.one', limit: 100 })).length, 4);
    });

    it('never rejects into the caller when the database fails, and logs the loss', async () => {
      const broken = await driver.open();
      try {
        await rawSql`drop table audit_event`.execute(broken.sql.db);
        const logger = collectingLogger();
        await recordAuditEvent(broken.sql, { type: 'test.lost', accountId: 'acc_lost' }, logger);
        assert.equal(logger.lines.length, 1);
        assert.match(logger.lines[0] ?? '', /^audit event lost .*"auditType":"test\.lost"/);
      } finally {
        await broken.dispose();
      }
    });
  });
}
