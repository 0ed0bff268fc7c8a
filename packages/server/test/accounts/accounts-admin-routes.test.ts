import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { findPasswordCredential } from '../../src/accounts/account-store.ts';
import { accountsAdminRoutes } from '../../src/accounts/accounts-admin-routes.ts';
import { authenticate } from '../../src/accounts/sign-in.ts';
import { installProblemHandlers, problemContentType } from '../../src/http/problem-details.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { type OpenedSql, sqlDrivers, testServerContext, uniqueEmail } from './accounts-fixtures.ts';

const password = 'correct horse battery';

interface UserJson {
  id: string;
  email: string;
  name: string;
  createdAt: string;
  disabledAt: string | null;
}

function assertNoHash(body: string): void {
  assert.ok(!body.includes('argon2'), 'a password hash leaked');
  assert.ok(!/password/i.test(body), 'a password field leaked');
}

function assertProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
): Record<string, unknown> {
  assert.equal(response.statusCode, status);
  assert.equal(response.headers['content-type'], problemContentType);
  const body = response.json() as Record<string, unknown>;
  assert.equal(body.status, status);
  return body;
}

for (const driver of sqlDrivers) {
  describe(`accounts admin API on ${driver.name}`, { skip: driver.skip }, () => {
    let opened: OpenedSql;
    let server: { context: ServerContext; dispose(): Promise<void> };
    let app: FastifyInstance;

    before(async () => {
      opened = await driver.open();
      server = await testServerContext(opened.sql);
      app = Fastify();
      installProblemHandlers(app);
      await app.register(accountsAdminRoutes, { context: server.context });
      await app.ready();
    });
    after(async () => {
      await app?.close();
      await server?.dispose();
      await opened?.dispose();
    });

    const createUser = (payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/users', payload });

    it('creates a user: 201 with id, email, name and dates, never the hash', async () => {
      const email = uniqueEmail('Admin');
      const response = await createUser({ email, name: 'Ada Admin', password });
      assert.equal(response.statusCode, 201, response.body);
      const user = response.json() as UserJson;
      assert.deepEqual(Object.keys(user).sort(), ['createdAt', 'disabledAt', 'email', 'id', 'name']);
      assert.match(user.id, /^acc_[a-z2-7]{26}$/);
      assert.equal(user.email, email);
      assert.equal(user.name, 'Ada Admin');
      assert.equal(user.disabledAt, null);
      assert.ok(!Number.isNaN(Date.parse(user.createdAt)));
      assertNoHash(response.body);
      // The password given is the one that signs in.
      const { sql, cache } = server.context.ports;
      assert.equal((await authenticate({ email, password, ip: '192.0.2.1' }, { sql, cache })).ok, true);
    });

    it('answers 409 problem details when the email is taken, whatever its case', async () => {
      const email = uniqueEmail('taken');
      assert.equal((await createUser({ email, name: 'First', password })).statusCode, 201);
      const response = await createUser({ email: ` ${email.toUpperCase()}`, name: 'Second', password });
      const body = assertProblem(response, 409);
      assert.match(String(body.detail), /already exists/);
    });

    it('answers 400 problem details for a bad email, a weak password or a malformed body, storing nothing', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ email: 'not-an-email', name: 'N', password }, /not a valid email/],
        [{ email: uniqueEmail(), name: 'N', password: 'short' }, /at least 8/],
        [{ email: uniqueEmail(), name: 'N', password: 'x'.repeat(300) }, /at most 256/],
        [{ email: uniqueEmail(), name: '  ', password }, /name must not be empty/],
        [{ email: uniqueEmail(), name: 'N' }, /password/],
      ];
      for (const [payload, detail] of cases) {
        const body = assertProblem(await createUser(payload), 400);
        assert.match(String(body.detail), detail);
        if (typeof payload.email === 'string' && payload.email.includes('@'))
          assert.equal(await findPasswordCredential(server.context.ports.sql, payload.email), undefined);
      }
    });

    it('lists users page by page with next, never with hashes', async () => {
      const created: UserJson[] = [];
      for (let index = 0; index < 3; index += 1)
        created.push(
          (
            await createUser({ email: uniqueEmail(`list${index}`), name: `L ${index}`, password })
          ).json() as UserJson,
        );

      const all: UserJson[] = [];
      let url = '/users?limit=2';
      for (;;) {
        const response = await app.inject({ method: 'GET', url });
        assert.equal(response.statusCode, 200, response.body);
        assertNoHash(response.body);
        const page = response.json() as { users: UserJson[]; next: string | null };
        assert.ok(page.users.length <= 2);
        all.push(...page.users);
        if (page.next === null) break;
        url = `/users?limit=2&after=${encodeURIComponent(page.next)}`;
      }
      const ids = all.map((user) => user.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.deepEqual(
        ids.slice(-3),
        created.map((user) => user.id),
      );
    });

    it('answers 400 for a page size out of range', async () => {
      assertProblem(await app.inject({ method: 'GET', url: '/users?limit=0' }), 400);
      assertProblem(await app.inject({ method: 'GET', url: '/users?limit=501' }), 400);
      assertProblem(await app.inject({ method: 'GET', url: '/users?limit=many' }), 400);
    });

    it('disables a user (200, then the user cannot sign in) and answers 404 for an unknown id', async () => {
      const email = uniqueEmail('disable');
      const user = (await createUser({ email, name: 'D', password })).json() as UserJson;
      const response = await app.inject({ method: 'POST', url: `/users/${user.id}/disable` });
      assert.equal(response.statusCode, 200, response.body);
      const disabled = response.json() as UserJson;
      assert.equal(disabled.id, user.id);
      assert.ok(disabled.disabledAt !== null && !Number.isNaN(Date.parse(disabled.disabledAt)));
      assertNoHash(response.body);
      const { sql, cache } = server.context.ports;
      assert.deepEqual(await authenticate({ email, password, ip: '192.0.2.2' }, { sql, cache }), {
        ok: false,
        reason: 'invalid_credentials',
      });

      const missing = assertProblem(
        await app.inject({ method: 'POST', url: '/users/acc_nobody/disable' }),
        404,
      );
      assert.match(String(missing.detail), /acc_nobody/);
    });
  });
}
