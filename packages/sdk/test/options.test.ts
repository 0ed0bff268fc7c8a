import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGuichet, type GuichetOptions } from '../src/index.ts';
import { bearerChallenge } from '../src/www-authenticate.ts';

const valid: GuichetOptions = {
  issuer: 'https://id.example.com',
  audience: 'https://api.example.com',
  clientId: 'api',
  clientSecret: 'secret',
  events: 'none',
};

describe('createGuichet options', () => {
  it('refuses what cannot work, naming the option but never its value', () => {
    const cases: Array<[Partial<GuichetOptions>, RegExp]> = [
      [{ issuer: 'not a url' }, /issuer must be an absolute http\(s\) URL/],
      [{ issuer: 'ftp://id.example.com' }, /issuer must be an http\(s\) URL/],
      [{ audience: '' }, /audience must be a non-empty string/],
      [{ clientSecret: '  ' }, /clientSecret must be a non-empty string/],
      [{ events: 'redis' }, /events 'redis' needs redisUrl/],
      [{ contextTtlMs: -1 }, /contextTtlMs must be a positive number/],
      [{ reconnect: { minDelayMs: 100, maxDelayMs: 10 } }, /maxDelayMs must not be below/],
      [{ decryptionKey: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'BBBB' } }, /public JWK/],
    ];
    for (const [override, message] of cases) {
      assert.throws(
        () => createGuichet({ ...valid, ...override }),
        (error: unknown) => {
          assert.ok(error instanceof TypeError);
          assert.match(error.message, message);
          assert.ok(
            !error.message.includes('AAAA') && !error.message.includes('ftp://id'),
            'a value was echoed',
          );
          return true;
        },
      );
    }
  });

  it('creates a client without touching the network when events are off', async () => {
    const guichet = createGuichet(valid);
    await guichet.close();
  });
});

describe('WWW-Authenticate', () => {
  it('never lets a description break out of its quoted string', () => {
    assert.equal(
      bearerChallenge({ error: 'invalid_token', description: 'bad "quote"\\ and\r\nX-Injected: 1' }),
      'Bearer realm="guichet", error="invalid_token", error_description="bad quote andX-Injected: 1"',
    );
  });
});
