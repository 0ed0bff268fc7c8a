import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpBrowser, hiddenInput } from '../../../server/test/support/http-browser.ts';
import {
  authorizationRequest,
  driverVariants,
  formUrl,
  signInForm,
  walk,
} from '../../../server/test/support/oidc-flow.ts';
import type { Guichet } from '../../src/guichet.ts';
import type { AccessTokenFormat } from '../../src/token-format.ts';
import { bearer } from '../support/guichet-for.ts';
import {
  audiences,
  contextOf,
  formats,
  prepareWorld,
  sdkFor,
  sidOf,
  signIn,
  switchBusiness,
  uniqueRedisPrefix,
  type World,
} from './support/real-guichet.ts';

for (const variant of driverVariants) {
  describe(`tenant isolation (${variant.name})`, { skip: variant.skip }, () => {
    let world: World;
    const sdks = new Map<AccessTokenFormat, Guichet>();
    /** Bob's tokens; Bob belongs to Initech only. */
    const tokens = new Map<AccessTokenFormat, string>();
    let sid: string;

    before(async () => {
      const redisPrefix = uniqueRedisPrefix();
      const deployment = await variant.start({ env: { GUICHET_REDIS_PREFIX: redisPrefix } });
      world = await prepareWorld(deployment, variant.name === 'postgres' ? { redisPrefix } : {});
      const first = await signIn(world, audiences.jwt, { user: world.bob });
      tokens.set('jwt', first.access_token);
      for (const format of ['jwe', 'opaque'] as const) {
        const next = await signIn(world, audiences[format], { user: world.bob, browser: first.browser });
        tokens.set(format, next.access_token);
      }
      sid = await sidOf(world, first.access_token);
      for (const format of formats) sdks.set(format, sdkFor(world, format, { events: 'none' }));
    });
    after(async () => {
      await Promise.all([...sdks.values()].map((guichet) => guichet.close()));
      await world?.deployment.stop();
    });

    /** What Guichet and every resource server say about Bob's session: Initech, always. */
    async function assertOnlyInitech(): Promise<void> {
      const contexts = [
        await contextOf(world, { sid }),
        await contextOf(world, { token: tokens.get('jwt') ?? '' }),
        await contextOf(world, { token: tokens.get('opaque') ?? '' }),
      ];
      for (const context of contexts) {
        assert.equal(context.active, true);
        assert.equal(context.business_id, world.initech.id);
        assert.deepEqual(context.roles, ['accountant']);
        assert.ok(!JSON.stringify(context).includes(world.acme.id));
      }
      for (const format of formats) {
        const auth = await (sdks.get(format) as Guichet).authenticate(bearer(tokens.get(format) ?? ''));
        assert.equal(auth.businessId, world.initech.id, format);
        assert.deepEqual([...auth.roles], ['accountant'], format);
      }
    }

    it('the session of a member of Initech only is in Initech', async () => {
      await assertOnlyInitech();
    });

    it("POST /session/business with another business's id: 403 problem, nothing changes", async () => {
      const answers = [];
      for (const format of ['jwt', 'opaque'] as const) {
        for (const businessId of [world.acme.id, world.globex.id, 'biz_doesnotexist00000000000000']) {
          const response = await switchBusiness(world, tokens.get(format) ?? '', businessId);
          assert.equal(response.status, 403, `${format} ${businessId}`);
          assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
          const body = (await response.json()) as Record<string, unknown>;
          assert.equal(body.status, 403);
          answers.push(body.detail);
          for (const secret of [world.acme.name, world.globex.name, world.ada.email]) {
            assert.ok(!JSON.stringify(body).includes(secret), secret);
          }
        }
      }
      // A business that exists and one that does not get the same answer: no way to probe for ids.
      assert.equal(new Set(answers).size, 1, answers.join(' | '));
      await assertOnlyInitech();
    });

    it('a JWE token does not get in either', async () => {
      const response = await switchBusiness(world, tokens.get('jwe') ?? '', world.acme.id);
      // Guichet cannot read a JWE (only its resource server can): refused as unknown, or as not a member.
      assert.ok(response.status === 401 || response.status === 403, `${response.status}`);
      await assertOnlyInitech();
    });

    it('the business chooser lists only the person’s businesses and refuses another one (403)', async () => {
      const browser = new HttpBrowser();
      const request = await authorizationRequest(world.app, {
        scope: 'openid orders:read',
        resource: audiences.jwt,
      });
      let page = await walk(browser, await browser.request(request.url), world.app.redirectUri);
      page = await walk(
        browser,
        await browser.request(formUrl(page, '/login'), { form: signInForm(page, world.ada) }),
        world.app.redirectUri,
      );
      assert.equal(page.status, 200, 'the chooser shows for a member of two businesses');
      assert.ok(page.body.includes(world.acme.id) && page.body.includes(world.globex.id));
      assert.ok(!page.body.includes(world.initech.id) && !page.body.includes(world.initech.name));
      const chooser = formUrl(page, '/business');
      const csrf = hiddenInput(page.body, 'csrf') ?? '';
      for (const businessId of [world.initech.id, 'biz_doesnotexist00000000000000']) {
        const refused = await browser.request(chooser, { form: { business_id: businessId, csrf } });
        assert.equal(refused.status, 403, businessId);
        assert.ok(!refused.body.includes(world.initech.name));
        assert.equal(refused.location, undefined, 'no code is issued');
      }
      // The chooser still works for a business of hers.
      const chosen = await walk(
        browser,
        await browser.request(chooser, { form: { business_id: world.globex.id, csrf } }),
        world.app.redirectUri,
      );
      assert.ok(chosen.location?.startsWith(world.app.redirectUri), `${chosen.status}`);
    });
  });
}
