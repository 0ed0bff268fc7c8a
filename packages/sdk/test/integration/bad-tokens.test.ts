import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  base64url,
  type CryptoKey,
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { type OidcDeployment, startEmbedded } from '../../../server/test/support/oidc-flow.ts';
import type { Guichet } from '../../src/guichet.ts';
import type { AccessTokenFormat } from '../../src/token-format.ts';
import { authErrorOf, bearer, eventually } from '../support/guichet-for.ts';
import { rejectsWith } from './support/latency.ts';
import { type LoadBalancer, startLoadBalancer } from './support/load-balancer.ts';
import {
  audiences,
  connected,
  formats,
  prepareWorld,
  sdkFor,
  signIn,
  signOut,
  type World,
} from './support/real-guichet.ts';

/** A second JWT resource server: its genuine tokens are the wrong audience for the first one. */
const otherAudience = 'https://reports.example.test';

function encodeJson(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

/** Changes the last characters of a base64url segment, keeping it valid base64url. */
function flipLast(segment: string): string {
  const last = segment.at(-2) === 'A' ? 'B' : 'A';
  return `${segment.slice(0, -2)}${last}${segment.at(-1)}`;
}

describe('bad tokens against a real Guichet', () => {
  let balancer: LoadBalancer;
  let deployment: OidcDeployment;
  let world: World;
  const sdks = new Map<AccessTokenFormat, Guichet>();
  const sdk = (format: AccessTokenFormat) => sdks.get(format) as Guichet;
  /** Genuine access tokens of one session, per format. */
  const genuine = new Map<AccessTokenFormat, string>();
  let jwt: string;
  let payload: JWTPayload;
  let publishedKeys: JWK[];

  before(async () => {
    // In front of the instance, to count what bad tokens make the SDK ask.
    balancer = await startLoadBalancer();
    deployment = await startEmbedded({ GUICHET_ISSUER: balancer.url });
    const instance = deployment.main;
    balancer.route = () => instance.url;
    world = await prepareWorld({
      ...deployment,
      issuer: balancer.url,
      main: { ...instance, url: balancer.url },
    });
    await instance.admin.request('POST', '/resources', {
      audience: otherAudience,
      format: 'jwt',
      scopes: ['orders:read'],
    });
    for (const format of formats) {
      const guichet = sdkFor(world, format, { events: 'sse' });
      const ready = connected(guichet);
      sdks.set(format, guichet);
      await ready;
    }
    const first = await signIn(world, audiences.jwt, { businessId: world.acme.id });
    genuine.set('jwt', first.access_token);
    for (const format of ['jwe', 'opaque'] as const) {
      genuine.set(format, (await signIn(world, audiences[format], { browser: first.browser })).access_token);
    }
    jwt = genuine.get('jwt') ?? '';
    payload = decodeJwt(jwt);
    // Each SDK has fetched the JWKS once by now: the genuine tokens pass.
    for (const format of formats) await sdk(format).authenticate(bearer(genuine.get(format) ?? ''));
    const jwks = (await (await fetch(`${balancer.url}/jwks`)).json()) as { keys: JWK[] };
    publishedKeys = jwks.keys;
  });
  after(async () => {
    await Promise.all([...sdks.values()].map((guichet) => guichet.close()));
    await deployment?.stop();
    await balancer?.close();
  });

  /** The token is refused with `code` (401, a Bearer challenge that does not echo it). */
  async function refused(guichet: Guichet, token: string, code: string, message?: string): Promise<void> {
    const error = await authErrorOf(guichet.authenticate(bearer(token)));
    assert.equal(error.code, code, `${error.code}: ${error.message}`);
    assert.equal(error.httpStatus, 401);
    assert.match(error.wwwAuthenticate, /^Bearer realm="guichet"/);
    assert.ok(!error.wwwAuthenticate.includes(token.slice(0, 24)), 'the challenge echoes the token');
    if (message !== undefined) assert.equal(error.message, message);
  }

  /** Signs claims (the genuine ones by default) with a key of our own. */
  async function forge(
    claims: JWTPayload,
    header: Record<string, unknown> = {},
    key?: CryptoKey | Uint8Array,
  ): Promise<string> {
    const signingKey = key ?? (await generateKeyPair('ES256')).privateKey;
    return new SignJWT({ ...payload, ...claims })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'a-kid-guichet-never-published', ...header })
      .sign(signingKey);
  }

  it('alg: none, with the genuine header and payload', async () => {
    const header = decodeProtectedHeader(jwt);
    const [, body] = jwt.split('.');
    await refused(sdk('jwt'), `${encodeJson({ ...header, alg: 'none' })}.${body}.`, 'invalid_token');
    await refused(
      sdk('jwt'),
      `${encodeJson({ ...header, alg: 'none' })}.${body}.${jwt.split('.')[2]}`,
      'invalid_token',
    );
  });

  it('HS256 signed with a published public key (algorithm confusion)', async () => {
    assert.ok(publishedKeys.length > 0);
    for (const jwk of publishedKeys) {
      const publicKey = await importJWK(jwk, String(jwk.alg));
      assert.ok(!(publicKey instanceof Uint8Array), 'the JWKS publishes no secret key');
      const pem = await exportSPKI(publicKey);
      for (const secret of [pem, JSON.stringify(jwk)]) {
        const forged = await forge({}, { alg: 'HS256', kid: jwk.kid }, new TextEncoder().encode(secret));
        await refused(sdk('jwt'), forged, 'invalid_token', 'the access token algorithm is not accepted');
      }
    }
  });

  it('an unknown kid (a fresh ES256 key), and a fresh key under a published kid', async () => {
    const jwksBefore = balancer.count('/jwks');
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await refused(sdk('jwt'), await forge({ jti: `forged-${attempt}` }), 'invalid_token');
    }
    // Forged kids cost Guichet at most one JWKS fetch per cooldown, not one per token.
    assert.ok(balancer.count('/jwks') - jwksBefore <= 1, `${balancer.count('/jwks') - jwksBefore} fetches`);
    await refused(
      sdk('jwt'),
      await forge({}, { kid: decodeProtectedHeader(jwt).kid }),
      'invalid_token',
      'the access token signature is invalid',
    );
  });

  it('a genuine token for another resource server (wrong aud)', async () => {
    const other = await signIn(world, otherAudience, { businessId: world.acme.id });
    assert.equal(decodeJwt(other.access_token).aud, otherAudience);
    await refused(
      sdk('jwt'),
      other.access_token,
      'invalid_token',
      'the access token is not meant for this resource server',
    );
    // A forged one claiming the right audience but signed by us is refused all the same.
    await refused(sdk('jwt'), await forge({ aud: audiences.jwt }), 'invalid_token');
  });

  it('a genuine token shown to a resource server that trusts another issuer (wrong iss)', async () => {
    const elsewhere = sdkFor(world, 'jwt', {
      events: 'none',
      issuer: 'https://id.elsewhere.example',
      jwksUri: `${balancer.url}/jwks`,
    });
    try {
      await refused(elsewhere, jwt, 'invalid_token', 'the access token comes from another issuer');
    } finally {
      await elsewhere.close();
    }
    await refused(sdk('jwt'), await forge({ iss: 'https://id.elsewhere.example' }), 'invalid_token');
  });

  it('expired: genuine tokens of every format, an hour later', async (t) => {
    const fresh = new Map(
      await Promise.all(
        formats.map(
          async (format) =>
            [
              format,
              (await signIn(world, audiences[format], { businessId: world.acme.id })).access_token,
            ] as const,
        ),
      ),
    );
    // Only Date is mocked: the SDK's clock runs an hour ahead, timers and Guichet keep real time.
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 3_600_000 });
    for (const format of formats) {
      await refused(sdk(format), fresh.get(format) ?? '', 'expired_token', 'the access token expired');
    }
    t.mock.timers.reset();
    const now = Math.floor(Date.now() / 1000);
    await refused(sdk('jwt'), await forge({ iat: now - 7200, exp: now - 3600 }), 'invalid_token');
  });

  it('nbf in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    // Guichet never sets nbf: such a token can only be forged, and is refused before its claims are read.
    await refused(sdk('jwt'), await forge({ nbf: now + 3600 }), 'invalid_token');
    await refused(
      sdk('jwt'),
      await forge({ nbf: now + 3600 }, { kid: decodeProtectedHeader(jwt).kid }),
      'invalid_token',
    );
  });

  it('truncated tokens of every format', async () => {
    for (const format of formats) {
      const token = genuine.get(format) ?? '';
      for (const cut of [
        token.slice(0, token.length - 10),
        token.slice(0, token.length / 2),
        token.slice(0, 20),
      ]) {
        if (format === 'opaque') {
          // A shorter handle is just an unknown one: Guichet says it is not active.
          await refused(sdk(format), cut, 'invalid_token', 'the access token is not active');
        } else await refused(sdk(format), cut, 'invalid_token');
      }
    }
    await refused(sdk('jwt'), jwt.split('.').slice(0, 2).join('.'), 'invalid_token');
    await refused(sdk('jwt'), `${jwt.split('.').slice(0, 2).join('.')}.`, 'invalid_token');
  });

  it('1 MB long, refused before it is parsed or sent anywhere', async () => {
    const requestsBefore = balancer.requests.length;
    const huge = [`${jwt}${'A'.repeat(1024 * 1024)}`, 'x'.repeat(1024 * 1024), `${'a.'.repeat(512 * 1024)}a`];
    for (const token of huge) {
      for (const format of formats) {
        const started = performance.now();
        await refused(sdk(format), token, 'invalid_token');
        assert.ok(performance.now() - started < 100, 'refused at once');
      }
    }
    assert.equal(balancer.requests.length, requestsBefore, 'a huge token made the SDK call Guichet');
  });

  it('a JWE with a wrong authentication tag, or opened by the wrong resource server', async () => {
    const jwe = genuine.get('jwe') ?? '';
    const parts = jwe.split('.');
    parts[4] = flipLast(parts[4] ?? '');
    await refused(sdk('jwe'), parts.join('.'), 'invalid_token', 'the access token cannot be decrypted');
    const tampered = jwe.split('.');
    tampered[3] = flipLast(tampered[3] ?? '');
    await refused(sdk('jwe'), tampered.join('.'), 'invalid_token', 'the access token cannot be decrypted');
    // The JWT resource server has no key for it.
    await refused(sdk('jwt'), jwe, 'invalid_token');
  });

  it('a genuine token whose session signed out: session_ended in every format', async () => {
    const session = await signIn(world, audiences.jwt, { businessId: world.acme.id });
    const tokens = new Map<AccessTokenFormat, string>([['jwt', session.access_token]]);
    for (const format of ['jwe', 'opaque'] as const) {
      tokens.set(format, (await signIn(world, audiences[format], { browser: session.browser })).access_token);
    }
    for (const format of formats) await sdk(format).authenticate(bearer(tokens.get(format) ?? ''));
    await signOut(world, session.browser, session.id_token ?? '');
    for (const format of formats) {
      await eventually(
        async () =>
          (await rejectsWith(sdk(format).authenticate(bearer(tokens.get(format) ?? '')), 'session_ended'))
            ? true
            : undefined,
        2_000,
      );
    }
  });

  it('an opaque token of another resource server (wrong audience)', async () => {
    await world.deployment.main.admin.request('POST', '/resources', {
      audience: 'https://archive.example.test',
      format: 'opaque',
      scopes: ['orders:read'],
    });
    const other = await signIn(world, 'https://archive.example.test', { businessId: world.acme.id });
    await refused(
      sdk('opaque'),
      other.access_token,
      'invalid_token',
      'the access token is not meant for this resource server',
    );
  });

  it('after all of that: nothing crashed, genuine tokens still pass', async () => {
    const health = await fetch(`${balancer.url}/healthz`);
    assert.equal(health.status, 200);
    for (const format of formats) {
      const auth = await sdk(format).authenticate(bearer(genuine.get(format) ?? ''));
      assert.equal(auth.sub, world.ada.id);
    }
  });
});
