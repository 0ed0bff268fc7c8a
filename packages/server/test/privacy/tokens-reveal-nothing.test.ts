import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  type CryptoKey,
  compactDecrypt,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
} from 'jose';
import * as client from 'openid-client';
import { HttpBrowser, hiddenInput } from '../support/http-browser.ts';
import {
  authorizationRequest,
  authorize,
  driverVariants,
  type OidcDeployment,
  postForm,
  registerClient,
  startTestRelyingParty,
  type TestClient,
  type TestRelyingParty,
  walk,
} from '../support/oidc-flow.ts';

/**
 * The invariant: no readable token (JWS access token, ID token, logout token) carries an email, a
 * name, a business id, a business name or a role; opaque tokens are random handles; encrypted tokens
 * may carry business claims, readable only with their resource server's key. Every flow is run and
 * every token Guichet issues along the way is collected and checked.
 */

interface Business {
  id: string;
  name: string;
}

type TokenKind = 'jws' | 'jwe' | 'opaque';

interface Collected {
  /** Which flow issued it, and as what. */
  label: string;
  token: string;
  kind: TokenKind;
}

const audiences = {
  jwt: 'https://ledger.privacy.example',
  jwe: 'https://payroll.privacy.example',
  opaque: 'https://notes.privacy.example',
} as const;

type Format = keyof typeof audiences;

const formats: Format[] = ['jwt', 'jwe', 'opaque'];

// Distinctive values, long enough never to show up by chance inside random identifiers.
const person = { name: 'Zephyrine Quillfeather', password: `pw-${randomBytes(12).toString('base64url')}` };
const businessNames = ['Vexillology Consortium', 'Quarantine Logistics'];
const roles = { first: ['chief-vexillologist'], second: ['night-quartermaster', 'inventory-auditor'] };

function kindOf(token: string): TokenKind {
  const parts = token.split('.').length;
  return parts === 3 ? 'jws' : parts === 5 ? 'jwe' : 'opaque';
}

/** Whether a string is base64 (or base64url) of a JSON value: an opaque handle must not be. */
function isBase64Json(token: string): boolean {
  for (const encoding of ['base64url', 'base64'] as const) {
    try {
      const text = Buffer.from(token, encoding).toString('utf8');
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null) return true;
    } catch {
      // not JSON: as expected
    }
  }
  return false;
}

for (const variant of driverVariants) {
  describe(`tokens reveal nothing (${variant.name})`, { skip: variant.skip }, () => {
    let deployment: OidcDeployment;
    let relyingParty: TestRelyingParty;
    let app: TestClient;
    let email: string;
    let businesses: Business[];
    let resourceKey: CryptoKey;
    const collected: Collected[] = [];
    /** Everything that must never be readable: person, businesses, roles. */
    const secrets: string[] = [];

    function collect(label: string, token: string | undefined): void {
      assert.ok(token, `${label}: a token was issued`);
      collected.push({ label, token, kind: kindOf(token) });
    }

    function collectTokens(label: string, tokens: client.TokenEndpointResponse): void {
      collect(`${label}: access token`, tokens.access_token);
      if (tokens.id_token !== undefined) collect(`${label}: ID token`, tokens.id_token);
      if (tokens.refresh_token !== undefined) collect(`${label}: refresh token`, tokens.refresh_token);
    }

    async function codeFlow(browser: HttpBrowser, label: string, parameters: Record<string, string>) {
      const request = await authorizationRequest(app, parameters);
      const callback = new URL(
        (
          await authorize(browser, app, request, { email, password: person.password }, [], {
            businessId: businesses[0]?.id ?? '',
          })
        ).location ?? '',
      );
      collect(`${label}: authorization code`, callback.searchParams.get('code') ?? undefined);
      const tokens = await client.authorizationCodeGrant(app.config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      collectTokens(label, tokens);
      return tokens;
    }

    before(async () => {
      deployment = await variant.start();
      relyingParty = await startTestRelyingParty();
      const admin = deployment.main.admin;
      email = `zephyrine.quillfeather.${randomBytes(4).toString('hex')}@privacy.example`;
      const account = await admin.request<{ id: string }>('POST', '/users', { ...person, email });
      businesses = await Promise.all(
        businessNames.map((name) => admin.request<Business>('POST', '/businesses', { name })),
      );
      const [first, second] = businesses as [Business, Business];
      await admin.request('POST', `/businesses/${first.id}/members`, { email, roles: roles.first });
      await admin.request('POST', `/businesses/${second.id}/members`, { email, roles: roles.second });
      secrets.push(
        email,
        email.split('@')[0] ?? '',
        person.name,
        ...person.name.split(' '),
        ...businesses.flatMap((business) => [business.id, business.name]),
        ...roles.first,
        ...roles.second,
      );
      assert.ok(account.id);

      const pair = await generateKeyPair('ECDH-ES+A256KW', { extractable: true });
      resourceKey = pair.privateKey;
      for (const format of formats) {
        await admin.request('POST', '/resources', {
          audience: audiences[format],
          format,
          scopes: ['ledger:read'],
          ...(format === 'jwe' ? { encryptionKey: await exportJWK(pair.publicKey) } : {}),
        });
      }
      app = await registerClient(deployment, {
        name: 'Privacy app',
        firstParty: true,
        backchannelLogoutUri: relyingParty.backchannelLogoutUri,
      });
      const service = await registerClient(deployment, { service: true, name: 'Privacy worker' });

      // Authorization code, without a resource (an access token for userinfo) and for each resource.
      const browser = new HttpBrowser();
      const offline = { scope: 'openid email profile offline_access', prompt: 'consent' };
      const plain = await codeFlow(browser, 'code flow', offline);
      const byFormat = new Map<Format, client.TokenEndpointResponse>();
      for (const format of formats) {
        byFormat.set(
          format,
          await codeFlow(browser, `code flow for ${format} resource`, {
            ...offline,
            scope: `${offline.scope} ledger:read`,
            resource: audiences[format],
          }),
        );
      }

      // Refresh, each with rotation.
      collectTokens('refresh', await client.refreshTokenGrant(app.config, plain.refresh_token ?? ''));
      for (const format of formats) {
        collectTokens(
          `refresh for ${format} resource`,
          await client.refreshTokenGrant(app.config, byFormat.get(format)?.refresh_token ?? '', {
            resource: audiences[format],
          }),
        );
      }

      // Business switch, then tokens issued in the new business.
      const switched = await fetch(`${deployment.issuer}/session/business`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${byFormat.get('jwt')?.access_token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ business_id: second.id }),
      });
      assert.equal(switched.status, 200);
      for (const format of formats) {
        await codeFlow(browser, `code flow for ${format} resource after a business switch`, {
          scope: 'openid email profile ledger:read',
          resource: audiences[format],
        });
      }

      // Client credentials, for each resource and for none.
      const credentials = { id: service.id, secret: service.secret ?? '' };
      for (const format of formats) {
        const issued = await postForm(
          `${deployment.issuer}/token`,
          { grant_type: 'client_credentials', resource: audiences[format], scope: 'ledger:read' },
          credentials,
        );
        assert.equal(issued.status, 200, issued.text);
        collect(`client credentials for ${format} resource`, String(issued.body.access_token ?? ''));
      }
      const bare = await postForm(
        `${deployment.issuer}/token`,
        { grant_type: 'client_credentials' },
        credentials,
      );
      if (bare.status === 200) collect('client credentials', String(bare.body.access_token ?? ''));

      // Sign-out everywhere: the app's back-channel receives a logout token.
      const endSession = client.buildEndSessionUrl(app.config, { id_token_hint: plain.id_token ?? '' });
      const confirm = await walk(browser, await browser.request(endSession), 'http://never');
      await browser.request(new URL('/session/end/confirm', deployment.issuer), {
        form: { xsrf: hiddenInput(confirm.body, 'xsrf') ?? '', logout: 'yes' },
      });
      collect('back-channel logout token', (await relyingParty.nextLogout()).logoutToken);
    });
    after(async () => {
      await deployment?.stop();
      await relyingParty?.close();
    });

    /** The labels of the values found in `text` (case-insensitive). */
    function revealed(text: string): string[] {
      const lower = text.toLowerCase();
      return secrets.filter((secret) => secret.length > 0 && lower.includes(secret.toLowerCase()));
    }

    it('collected every kind of token from every flow', () => {
      const labels = collected.map((entry) => entry.label);
      for (const expected of [
        'code flow: ID token',
        'code flow: refresh token',
        'code flow for jwt resource: access token',
        'code flow for jwe resource: access token',
        'code flow for opaque resource: access token',
        'refresh for jwt resource: access token',
        'client credentials for jwt resource',
        'client credentials for jwe resource',
        'client credentials for opaque resource',
        'back-channel logout token',
      ]) {
        assert.ok(labels.includes(expected), `missing: ${expected}`);
      }
      const kinds = new Set(collected.map((entry) => entry.kind));
      assert.deepEqual([...kinds].sort(), ['jwe', 'jws', 'opaque']);
      assert.ok(secrets.length >= 10);
    });

    it('no readable token (JWS header or payload) names the person, a business or a role', () => {
      const readable = collected.filter((entry) => entry.kind === 'jws');
      assert.ok(readable.length >= 15, `${readable.length} JWS checked`);
      // Every leak at once, so that one failure tells the whole story.
      const leaks: string[] = [];
      for (const { label, token } of readable) {
        const header = JSON.stringify(decodeProtectedHeader(token));
        const claims = decodeJwt(token);
        const payload = JSON.stringify(claims);
        const found = [...revealed(header), ...revealed(payload)];
        // Nor anything that looks like an email address, or a personal or business claim by name.
        if (/[^\s"@]+@[^\s"@]+\.[a-z]{2,}/i.test(payload)) found.push('an email address');
        for (const claim of ['business_id', 'roles', 'email', 'name', 'given_name', 'family_name']) {
          if (claim in claims) found.push(`claim ${claim}`);
        }
        if (found.length > 0) leaks.push(`${label} reveals ${found.join(', ')}`);
      }
      assert.deepEqual(leaks, []);
    });

    it('opaque tokens (codes, refresh tokens, opaque access tokens) are random handles, not encoded data', () => {
      const opaque = collected.filter((entry) => entry.kind === 'opaque');
      assert.ok(opaque.length >= 10, `${opaque.length} opaque tokens checked`);
      for (const { label, token } of opaque) {
        assert.ok(!isBase64Json(token), `${label} decodes to JSON`);
        assert.deepEqual(revealed(token), [], label);
        assert.ok(token.length >= 32, `${label} is ${token.length} characters`);
        const decoded = Buffer.from(token, 'base64url').toString('latin1');
        assert.deepEqual(revealed(decoded), [], `${label} decoded`);
      }
      assert.equal(new Set(opaque.map((entry) => entry.token)).size, opaque.length, 'no handle twice');
    });

    it('encrypted access tokens: unreadable without the resource key, readable with it', async () => {
      const encrypted = collected.filter((entry) => entry.kind === 'jwe');
      assert.ok(encrypted.length >= 4, `${encrypted.length} JWE checked`);
      const wrongKey = (await generateKeyPair('ECDH-ES+A256KW')).privateKey;
      const sameCurveOtherKey = (await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256' })).privateKey;
      for (const { label, token } of encrypted) {
        const header = JSON.stringify(decodeProtectedHeader(token));
        assert.deepEqual(revealed(header), [], `${label} header: ${header}`);
        for (const segment of token.split('.').slice(1)) {
          assert.deepEqual(revealed(Buffer.from(segment, 'base64url').toString('latin1')), [], label);
        }
        await assert.rejects(compactDecrypt(token, wrongKey), `${label} opened with a wrong key`);
        await assert.rejects(compactDecrypt(token, sameCurveOtherKey), `${label} opened with a wrong key`);

        const { plaintext } = await compactDecrypt(token, resourceKey);
        const inner = new TextDecoder().decode(plaintext);
        assert.equal(decodeProtectedHeader(inner).typ, 'at+jwt', label);
        const claims = decodeJwt(inner);
        assert.equal(claims.aud, audiences.jwe, label);
        assert.ok(typeof claims.sub === 'string', label);
        // Business claims are allowed in here; the person's email and name are still not.
        const text = JSON.stringify(claims);
        for (const value of [email, person.name]) assert.ok(!text.includes(value), `${label}: ${value}`);
      }
      // A person's JWE carries the business context it was issued in.
      const [first, second] = businesses as [Business, Business];
      const inBusiness = async (label: string) => {
        const entry = collected.find((candidate) => candidate.label === label);
        assert.ok(entry, label);
        const { plaintext } = await compactDecrypt(entry.token, resourceKey);
        return decodeJwt(new TextDecoder().decode(plaintext)).business_id;
      };
      assert.equal(await inBusiness('code flow for jwe resource: access token'), first.id);
      assert.equal(
        await inBusiness('code flow for jwe resource after a business switch: access token'),
        second.id,
      );
    });
  });
}
