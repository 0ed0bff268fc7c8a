import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpBrowser } from '../../../server/test/support/http-browser.ts';
import { driverVariants, postForm, registerClient } from '../../../server/test/support/oidc-flow.ts';
import type { Guichet, GuichetAuthentication } from '../../src/guichet.ts';
import type { AccessTokenFormat } from '../../src/token-format.ts';
import { authErrorOf, bearer, eventually } from '../support/guichet-for.ts';
import {
  audiences,
  connected,
  contextOf,
  type FormatTokens,
  formats,
  prepareWorld,
  sdkFor,
  sidOf,
  signInEveryFormat,
  signOut,
  switchBusiness,
  uniqueRedisPrefix,
  type World,
} from './support/real-guichet.ts';

/** What the issue asks `authenticate` to get right, plus how the token came. */
function identity(auth: GuichetAuthentication) {
  const { sub, sid, businessId, roles, scopes, format, clientId } = auth;
  return { sub, sid, businessId, roles: [...roles], scopes: [...scopes], format, clientId };
}

for (const variant of driverVariants) {
  describe(`SDK authenticate against a real Guichet (${variant.name})`, { skip: variant.skip }, () => {
    let world: World;
    const sdks = new Map<AccessTokenFormat, Guichet>();
    const sdk = (format: AccessTokenFormat) => sdks.get(format) as Guichet;
    // One browser session: the three tokens below all name its one sid.
    const browser = new HttpBrowser();
    let tokens: Map<AccessTokenFormat, FormatTokens>;
    let sid: string;

    before(async () => {
      const redisPrefix = uniqueRedisPrefix();
      const deployment = await variant.start({ env: { GUICHET_REDIS_PREFIX: redisPrefix } });
      world = await prepareWorld(deployment, variant.name === 'postgres' ? { redisPrefix } : {});
      for (const format of formats) {
        const guichet = sdkFor(world, format);
        const ready = connected(guichet);
        sdks.set(format, guichet);
        await ready;
      }
      tokens = await signInEveryFormat(world, browser, world.acme.id);
      sid = await sidOf(world, tokens.get('jwt')?.access ?? '');
    });
    after(async () => {
      await Promise.all([...sdks.values()].map((guichet) => guichet.close()));
      await world?.deployment.stop();
    });

    const access = (format: AccessTokenFormat) => bearer(tokens.get(format)?.access ?? '');

    for (const format of formats) {
      it(`${format}: sub, sid, business, roles and scopes of the session`, async () => {
        const auth = await sdk(format).authenticate(access(format), { scopes: ['orders:read'] });
        assert.deepEqual(identity(auth), {
          sub: world.ada.id,
          sid,
          businessId: world.acme.id,
          roles: ['owner'],
          scopes: ['orders:read'],
          format,
          // An opaque token says nothing itself; Guichet's context answer names no client.
          clientId: format === 'opaque' ? null : world.app.id,
        });
        assert.ok(auth.expiresAt * 1000 > Date.now());
        if (format === 'jwe') assert.equal(await sidOf(world, auth.token), sid);
      });

      it(`${format}: a scope the token lacks is insufficient_scope (403)`, async () => {
        const error = await authErrorOf(
          sdk(format).authenticate(access(format), { scopes: ['orders:write'] }),
        );
        assert.equal(error.code, 'insufficient_scope');
        assert.equal(error.httpStatus, 403);
        assert.match(error.wwwAuthenticate, /error="insufficient_scope"/);
        assert.match(error.wwwAuthenticate, /scope="orders:write"/);
        const both = await authErrorOf(
          sdk(format).authenticate(access(format), { scopes: ['orders:read', 'orders:write'] }),
        );
        assert.equal(both.code, 'insufficient_scope');
      });
    }

    it('a token for another resource server is refused (audience)', async () => {
      // The JWT of the orders API shown to the payroll API, and the other way round.
      const wrong = await authErrorOf(sdk('jwe').authenticate(access('jwt')));
      assert.equal(wrong.code, 'invalid_token');
      assert.equal(wrong.message, 'the access token is not meant for this resource server');
      assert.equal((await authErrorOf(sdk('jwt').authenticate(access('jwe')))).code, 'invalid_token');
    });

    it('follows a business switch in every format, without new tokens', async () => {
      const switched = await switchBusiness(world, tokens.get('jwt')?.access ?? '', world.globex.id);
      assert.equal(switched.status, 200);
      for (const format of formats) {
        const auth = await eventually(async () => {
          const current = await sdk(format).authenticate(access(format));
          return current.businessId === world.globex.id ? current : undefined;
        }, 2_000);
        assert.deepEqual([...auth.roles], ['member'], format);
      }
      assert.equal((await switchBusiness(world, tokens.get('jwt')?.access ?? '', world.acme.id)).status, 200);
      for (const format of formats) {
        await eventually(async () => {
          const current = await sdk(format).authenticate(access(format));
          return current.businessId === world.acme.id ? current : undefined;
        }, 2_000);
      }
    });

    it('client-credentials tokens (JWT, JWE) stand for the service: no session, no business', async () => {
      const worker = await registerClient(world.deployment, { service: true, name: 'Billing worker' });
      for (const format of ['jwt', 'jwe'] as const) {
        const issued = await postForm(
          `${world.deployment.main.url}/token`,
          { grant_type: 'client_credentials', resource: audiences[format], scope: 'orders:write' },
          { id: worker.id, secret: worker.secret ?? '' },
        );
        assert.equal(issued.status, 200, issued.text);
        const auth = await sdk(format).authenticate(bearer(String(issued.body.access_token)), {
          scopes: ['orders:write'],
        });
        assert.deepEqual(identity(auth), {
          sub: worker.id,
          sid: null,
          businessId: null,
          roles: [],
          scopes: ['orders:write'],
          format,
          clientId: worker.id,
        });
      }
    });

    it('an opaque client-credentials token stands for the service', async () => {
      const worker = await registerClient(world.deployment, { service: true, name: 'Notes worker' });
      const issued = await postForm(
        `${world.deployment.main.url}/token`,
        { grant_type: 'client_credentials', resource: audiences.opaque, scope: 'orders:write' },
        { id: worker.id, secret: worker.secret ?? '' },
      );
      assert.equal(issued.status, 200, issued.text);
      const auth = await sdk('opaque').authenticate(bearer(String(issued.body.access_token)));
      assert.deepEqual(identity(auth), {
        sub: worker.id,
        sid: null,
        businessId: null,
        roles: [],
        scopes: ['orders:write'],
        format: 'opaque',
        clientId: null,
      });
    });

    it('every format is refused with session_ended once the person signs out', async () => {
      await signOut(world, browser, tokens.get('jwt')?.id ?? '');
      assert.deepEqual(
        await eventually(async () => {
          const answer = await contextOf(world, { sid });
          return answer.active === false ? answer : undefined;
        }, 2_000),
        { active: false },
      );
      for (const format of formats) {
        const error = await eventually(async () => {
          try {
            await sdk(format).authenticate(access(format));
            return undefined;
          } catch (thrown) {
            return thrown;
          }
        }, 2_000);
        // The session.ended event tells the SDK (Guichet would also answer inactive if asked).
        assert.equal((error as { code?: string }).code, 'session_ended', format);
      }
    });
  });
}
