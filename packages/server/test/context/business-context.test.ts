import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compactDecrypt, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import * as client from 'openid-client';
import { formAction, HttpBrowser, hiddenInput } from '../support/http-browser.ts';
import {
  authorizationRequest,
  authorize,
  createUser,
  driverVariants,
  type OidcDeployment,
  registerClient,
  type TestClient,
  type TestUser,
  walk,
} from '../support/oidc-flow.ts';

interface Business {
  id: string;
  name: string;
}

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

const jwtApi = 'https://orders.example.test';
const jweApi = 'https://payroll.example.test';
const opaqueApi = 'https://notes.example.test';

for (const variant of driverVariants) {
  describe(`business context per session (${variant.name})`, { skip: variant.skip }, () => {
    let deployment: OidcDeployment;
    let acme: Business;
    let globex: Business;
    let initech: Business;
    let ada: TestUser;
    let app: TestClient;
    let service: TestClient;
    let payrollKey: KeyPair['privateKey'];
    const basic = () => `Basic ${Buffer.from(`${service.id}:${service.secret}`).toString('base64')}`;

    async function contextOf(
      body: Record<string, string>,
    ): Promise<{ status: number; json: Record<string, unknown> }> {
      const response = await fetch(`${deployment.issuer}/context`, {
        method: 'POST',
        headers: { authorization: basic(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    }

    async function signIn(browser: HttpBrowser, resource: string, choose?: string) {
      const request = await authorizationRequest(app, { scope: 'openid orders:read', resource });
      const callback = new URL(
        (await authorize(browser, app, request, ada, [], choose ? { businessId: choose } : undefined))
          .location ?? '',
      );
      return client.authorizationCodeGrant(app.config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
    }

    before(async () => {
      deployment = await variant.start();
      const admin = deployment.main.admin;
      [acme, globex, initech] = (await Promise.all(
        ['Acme', 'Globex', 'Initech'].map((name) => admin.request<Business>('POST', '/businesses', { name })),
      )) as [Business, Business, Business];
      ada = await createUser(admin, 'Ada Lovelace');
      await admin.request('POST', `/businesses/${acme.id}/members`, { email: ada.email, roles: ['owner'] });
      await admin.request('POST', `/businesses/${globex.id}/members`, {
        email: ada.email,
        roles: ['member'],
      });
      const pair = await generateKeyPair('ECDH-ES+A256KW', { extractable: true });
      payrollKey = pair.privateKey;
      await admin.request('POST', '/resources', { audience: jwtApi, format: 'jwt', scopes: ['orders:read'] });
      await admin.request('POST', '/resources', {
        audience: jweApi,
        format: 'jwe',
        scopes: ['orders:read'],
        encryptionKey: await exportJWK(pair.publicKey),
      });
      await admin.request('POST', '/resources', {
        audience: opaqueApi,
        format: 'opaque',
        scopes: ['orders:read'],
      });
      app = await registerClient(deployment, { firstParty: true, name: 'Shop' });
      service = await registerClient(deployment, { service: true, name: 'Orders API' });
    });
    after(async () => {
      await deployment?.stop();
    });

    it('asks a person in several businesses to choose, and the token names only an opaque sid', async () => {
      const browser = new HttpBrowser();
      const request = await authorizationRequest(app, { scope: 'openid orders:read', resource: jwtApi });
      let page = await walk(browser, await browser.request(request.url), app.redirectUri);
      page = await walk(
        browser,
        await browser.request(new URL(formAction(page.body, '/login') ?? '', page.url), {
          form: { email: ada.email, password: ada.password, csrf: hiddenInput(page.body, 'csrf') ?? '' },
        }),
        app.redirectUri,
      );
      assert.equal(page.status, 200, 'the business chooser page');
      assert.ok(page.body.includes('Acme') && page.body.includes('Globex'));
      assert.ok(!page.body.includes('Initech'), 'only the businesses the person belongs to');

      // Choosing a business the person does not belong to is refused, and nothing is issued.
      const refused = await browser.request(new URL(formAction(page.body, '/business') ?? '', page.url), {
        form: { business_id: initech.id, csrf: hiddenInput(page.body, 'csrf') ?? '' },
      });
      assert.equal(refused.status, 403);

      const chosen = await walk(
        browser,
        await browser.request(new URL(formAction(page.body, '/business') ?? '', page.url), {
          form: { business_id: acme.id, csrf: hiddenInput(page.body, 'csrf') ?? '' },
        }),
        app.redirectUri,
      );
      const tokens = await client.authorizationCodeGrant(app.config, new URL(chosen.location ?? ''), {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
      const claims = decodeJwt(tokens.access_token);
      assert.deepEqual(Object.keys(claims).sort(), [
        'aud',
        'client_id',
        'exp',
        'iat',
        'iss',
        'jti',
        'scope',
        'sid',
        'sub',
      ]);
      assert.equal(claims.aud, jwtApi);
      assert.ok(typeof claims.sid === 'string' && claims.sid.length >= 43, 'at least 256 bits');
      const text = JSON.stringify(claims);
      for (const secret of [ada.email, ada.name, acme.id, acme.name, 'owner'])
        assert.ok(!text.includes(secret), secret);

      const resolved = await contextOf({ token: tokens.access_token });
      assert.equal(resolved.status, 200);
      assert.deepEqual(
        { ...resolved.json, exp: undefined },
        {
          active: true,
          aud: jwtApi,
          sub: ada.id,
          sid: claims.sid,
          business_id: acme.id,
          roles: ['owner'],
          scope: 'orders:read',
          exp: undefined,
        },
      );
    });

    it('switches the active business of the session without new tokens', async () => {
      const tokens = await signIn(new HttpBrowser(), jwtApi, acme.id);
      const sid = String(decodeJwt(tokens.access_token).sid);
      const switched = await fetch(`${deployment.issuer}/session/business`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ business_id: globex.id }),
      });
      assert.equal(switched.status, 200);
      assert.deepEqual(await switched.json(), { sid, business_id: globex.id, roles: ['member'] });
      const resolved = await contextOf({ token: tokens.access_token });
      assert.equal(resolved.json.business_id, globex.id);
      assert.deepEqual(resolved.json.roles, ['member']);

      // A business the person does not belong to: 403, and the session keeps its business.
      const foreign = await fetch(`${deployment.issuer}/session/business`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ business_id: initech.id }),
      });
      assert.equal(foreign.status, 403);
      assert.match(foreign.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal((await contextOf({ sid })).json.business_id, globex.id);

      const anonymous = await fetch(`${deployment.issuer}/session/business`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ business_id: acme.id }),
      });
      assert.equal(anonymous.status, 401);
    });

    it('issues opaque tokens resolved by the context endpoint, and JWEs only the API can read', async () => {
      const opaque = await signIn(new HttpBrowser(), opaqueApi, acme.id);
      assert.equal(opaque.access_token.split('.').length, 1);
      const resolved = await contextOf({ token: opaque.access_token });
      assert.equal(resolved.json.active, true);
      assert.equal(resolved.json.business_id, acme.id);

      const encrypted = await signIn(new HttpBrowser(), jweApi, acme.id);
      assert.equal(encrypted.access_token.split('.').length, 5);
      const header = decodeProtectedHeader(encrypted.access_token);
      assert.equal(header.alg, 'ECDH-ES+A256KW');
      assert.ok(!JSON.stringify(header).includes(ada.email));
      const { plaintext } = await compactDecrypt(encrypted.access_token, payrollKey);
      const inner = decodeJwt(new TextDecoder().decode(plaintext));
      assert.equal(inner.business_id, acme.id);
      assert.deepEqual(inner.roles, ['owner']);
      const other = await generateKeyPair('ECDH-ES+A256KW');
      await assert.rejects(compactDecrypt(encrypted.access_token, other.privateKey));
    });

    it('answers inactive once the session signs out, and tells listeners', async () => {
      const browser = new HttpBrowser();
      const tokens = await signIn(browser, jwtApi, acme.id);
      const sid = String(decodeJwt(tokens.access_token).sid);
      assert.equal((await contextOf({ sid })).json.active, true);

      const events = await fetch(`${deployment.issuer}/events`, { headers: { authorization: basic() } });
      assert.equal(events.status, 200);
      assert.match(events.headers.get('content-type') ?? '', /^text\/event-stream/);
      const reader = events.body?.getReader();
      assert.ok(reader);
      let received = '';
      const sessionEnded = (async () => {
        while (!received.includes('event: session.ended')) {
          const chunk = await reader.read();
          if (chunk.done) break;
          received += new TextDecoder().decode(chunk.value);
        }
      })();

      const endSession = client.buildEndSessionUrl(app.config, { id_token_hint: tokens.id_token ?? '' });
      const confirm = await walk(browser, await browser.request(endSession), 'http://never');
      const xsrf = hiddenInput(confirm.body, 'xsrf') ?? '';
      await browser.request(new URL('/session/end/confirm', deployment.issuer), {
        form: { xsrf, logout: 'yes' },
      });

      assert.deepEqual(await contextOf({ sid }), { status: 200, json: { active: false } });
      assert.equal((await contextOf({ token: tokens.access_token })).json.active, false);
      await sessionEnded;
      await reader.cancel();
      const frame = received.split('\n\n').find((part) => part.includes('event: session.ended')) ?? '';
      const data = JSON.parse(
        frame
          .split('\n')
          .find((line) => line.startsWith('data: '))
          ?.slice(6) ?? '{}',
      );
      assert.equal(data.sid, sid);
      assert.equal(data.sub, ada.id);
      assert.ok(!JSON.stringify(data).includes(ada.email));

      // Resuming from the event before sign-out replays it.
      const lastId = String(Number(data.id) - 1);
      const resumed = await fetch(`${deployment.issuer}/events`, {
        headers: { authorization: basic(), 'last-event-id': lastId },
      });
      const resumedReader = resumed.body?.getReader();
      assert.ok(resumedReader);
      let replay = '';
      while (!replay.includes(`id: ${data.id}`)) {
        const chunk = await resumedReader.read();
        if (chunk.done) break;
        replay += new TextDecoder().decode(chunk.value);
      }
      await resumedReader.cancel();
      assert.ok(replay.includes('event: session.ended'));
    });

    it('refuses bad calls to the context endpoint with problem details', async () => {
      const noAuth = await fetch(`${deployment.issuer}/context`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sid: 'x' }),
      });
      assert.equal(noAuth.status, 401);
      assert.match(noAuth.headers.get('www-authenticate') ?? '', /^Basic/);
      const wrongSecret = await fetch(`${deployment.issuer}/context`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${service.id}:wrong`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ sid: 'x' }),
      });
      assert.equal(wrongSecret.status, 401);
      const userApp = await fetch(`${deployment.issuer}/context`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${app.id}:${app.secret}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ sid: 'x' }),
      });
      assert.equal(userApp.status, 401, 'only service clients resolve contexts');
      for (const body of ['{"sid":""}', '{}', '{"sid":"a","token":"b"}', '{"other":"x"}', 'not json']) {
        const response = await fetch(`${deployment.issuer}/context`, {
          method: 'POST',
          headers: { authorization: basic(), 'content-type': 'application/json' },
          body,
        });
        assert.equal(response.status, 400, body);
        assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
      }
      const huge = await fetch(`${deployment.issuer}/context`, {
        method: 'POST',
        headers: { authorization: basic(), 'content-type': 'application/json' },
        body: JSON.stringify({ token: 'x'.repeat(100_000) }),
      });
      assert.equal(huge.status, 413);
      assert.deepEqual((await contextOf({ sid: 'unknown' })).json, { active: false });
      assert.deepEqual((await contextOf({ token: 'not-a-token' })).json, { active: false });
    });
  });
}
