import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpBrowser } from '../../../server/test/support/http-browser.ts';
import { startEmbedded } from '../../../server/test/support/oidc-flow.ts';
import type { Guichet } from '../../src/guichet.ts';
import type { AccessTokenFormat } from '../../src/token-format.ts';
import { authErrorOf, bearer } from '../support/guichet-for.ts';
import {
  type FormatTokens,
  formats,
  prepareWorld,
  sdkFor,
  sidOf,
  signInEveryFormat,
  signOut,
  switchBusiness,
  type World,
} from './support/real-guichet.ts';

// Events off and a long context TTL: only forgetSession can make the SDK ask Guichet again.
describe('forgetSession against a real Guichet', () => {
  let world: World;
  const sdks = new Map<AccessTokenFormat, Guichet>();
  const sdk = (format: AccessTokenFormat) => sdks.get(format) as Guichet;
  // One browser session: the three tokens below all name its one sid.
  const browser = new HttpBrowser();
  let tokens: Map<AccessTokenFormat, FormatTokens>;
  let sid: string;

  before(async () => {
    world = await prepareWorld(await startEmbedded());
    for (const format of formats) {
      sdks.set(format, sdkFor(world, format, { events: 'none', contextTtlMs: 600_000 }));
    }
    tokens = await signInEveryFormat(world, browser, world.acme.id);
    sid = await sidOf(world, tokens.get('jwt')?.access ?? '');
  });
  after(async () => {
    await Promise.all([...sdks.values()].map((guichet) => guichet.close()));
    await world?.deployment.stop();
  });

  const access = (format: AccessTokenFormat) => bearer(tokens.get(format)?.access ?? '');
  const contextOf = async (format: AccessTokenFormat) => {
    const { businessId, roles } = await sdk(format).authenticate(access(format));
    return { businessId, roles: [...roles] };
  };

  it('a business switch shows on the next authenticate of every format once the session is forgotten', async () => {
    for (const format of formats)
      assert.deepEqual(await contextOf(format), { businessId: world.acme.id, roles: ['owner'] });
    const switched = await switchBusiness(world, tokens.get('jwt')?.access ?? '', world.globex.id);
    assert.equal(switched.status, 200);
    for (const format of formats) {
      // Cached: without an event, the SDK has no reason to ask.
      assert.deepEqual(await contextOf(format), { businessId: world.acme.id, roles: ['owner'] }, format);
      sdk(format).forgetSession(sid);
      assert.deepEqual(await contextOf(format), { businessId: world.globex.id, roles: ['member'] }, format);
    }
  });

  it('forgetting another session, or an unknown one, changes nothing', async () => {
    assert.equal((await switchBusiness(world, tokens.get('jwt')?.access ?? '', world.acme.id)).status, 200);
    for (const format of formats) {
      sdk(format).forgetSession('not-a-session');
      sdk(format).forgetSession('');
      assert.deepEqual(await contextOf(format), { businessId: world.globex.id, roles: ['member'] }, format);
    }
  });

  it('a session that ended is refused at once after forgetSession', async () => {
    await signOut(world, browser, tokens.get('jwt')?.id ?? '');
    for (const format of formats) {
      sdk(format).forgetSession(sid);
      const error = await authErrorOf(sdk(format).authenticate(access(format)));
      // Guichet revokes an opaque token with its session: to the SDK it is simply no longer active.
      assert.ok(['session_ended', 'invalid_token'].includes(error.code), `${format}: ${error.code}`);
      assert.equal(error.httpStatus, 401);
    }
  });
});
